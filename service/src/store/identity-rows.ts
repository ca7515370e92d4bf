// A sender identity's row and its mapping, shared by both adapters: the columns and their types are the same on
// SQLite and PostgreSQL.
import type { IdentityApproval, IdentityPause, SenderIdentity } from '../domain/identity.js';
import type { IdentitySettings } from '../ports/index.js';
import { fromJson } from './values.js';

/** A sender_identities row, as both adapters read it (the same columns and types on SQLite and PostgreSQL). */
export interface IdentityRow {
  id: string;
  name: string;
  is_default: number;
  settings: string;
  dkim_key_sealed: string | null;
  relay_pass_sealed: string | null;
  approval: string | null;
  paused: string | null;
  created_at: string;
  updated_at: string;
}

export const COLUMNS = 'id, name, is_default, settings, dkim_key_sealed, relay_pass_sealed, approval, paused, created_at, updated_at';
export const FINISHED = "('sent', 'cancelled', 'failed')";

export function toIdentity(r: IdentityRow): SenderIdentity {
  const s = fromJson<IdentitySettings>(r.settings, {} as IdentitySettings);
  const approval = fromJson<IdentityApproval | null>(r.approval, null);
  const paused = fromJson<IdentityPause | null>(r.paused, null);
  return {
    id: r.id,
    name: r.name,
    isDefault: r.is_default === 1,
    fromDomains: s.fromDomains ?? [],
    fromAddresses: s.fromAddresses ?? [],
    ...(s.dkim ? { dkim: s.dkim } : {}),
    relay: {
      url: s.relay.url,
      ...(s.relay.username ? { username: s.relay.username } : {}),
      hasPassword: r.relay_pass_sealed !== null,
      maxConnections: s.relay.maxConnections,
    },
    bounceDomain: s.bounceDomain,
    rate: s.rate,
    providerLimits: s.providerLimits ?? {},
    ...(s.warmup ? { warmup: s.warmup } : {}),
    users: s.users ?? [],
    ...(approval ? { approval } : {}),
    ...(paused ? { paused } : {}),
    fromEnvironment: s.fromEnvironment === true,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
