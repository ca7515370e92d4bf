// Sender identities as stored: their settings, the sealed DKIM key and relay password (never handed to features
// except the composition of a send), the last readiness result, and an audit of what administrators did.

import type { IdentityApproval, IdentityPause, Readiness, SenderIdentity } from '../domain/identity.js';
import type { Awaitable } from './unit-of-work.js';

/** Everything an identity is made of but its id and times; `secrets` undefined keeps the stored ones. */
export type IdentitySettings = Omit<SenderIdentity, 'id' | 'createdAt' | 'updatedAt' | 'approval' | 'paused' | 'isDefault' | 'relay'> & {
  relay: { url: string; username?: string; maxConnections: number };
};

export interface IdentitySecrets {
  /** The DKIM private key (PEM), sealed with the service secret. */
  dkimKeySealed?: string;
  /** The relay password, sealed likewise. */
  relayPasswordSealed?: string;
}

export interface IdentityAuditEntry {
  at: string;
  by: string;
  action: string;
  detail?: string;
}

export interface IdentityRepo {
  /** The first identity created becomes the default. */
  create(settings: IdentitySettings, secrets: IdentitySecrets, id?: string): Awaitable<SenderIdentity>;
  /** Replaces the settings; a secret left undefined stays as stored, null removes it. False when unknown. */
  update(id: string, settings: IdentitySettings, secrets: { dkimKeySealed?: string | null; relayPasswordSealed?: string | null }): Awaitable<boolean>;
  get(id: string): Awaitable<SenderIdentity | undefined>;
  /** Default first, then by name. */
  list(): Awaitable<SenderIdentity[]>;
  getDefault(): Awaitable<SenderIdentity | undefined>;
  setDefault(id: string): Awaitable<boolean>;
  remove(id: string): Awaitable<boolean>;
  secrets(id: string): Awaitable<IdentitySecrets | undefined>;
  /** null withdraws the approval (a new key or relay must pass readiness again). */
  setApproval(id: string, approval: IdentityApproval | null): Awaitable<boolean>;
  /** Sets or clears the pause; false when unknown, or when `onlyIf` is given and the identity is not in that state. */
  setPaused(id: string, pause: IdentityPause | null, onlyIf?: 'running' | 'paused'): Awaitable<boolean>;
  saveReadiness(id: string, r: Readiness): Awaitable<void>;
  readiness(id: string): Awaitable<Readiness | undefined>;
  /** Campaigns not finished (not sent, cancelled or failed) that send through it, and automations not stopped whose steps name it. */
  usage(id: string): Awaitable<{ campaigns: string[]; automations: string[] }>;
  audit(id: string, entry: IdentityAuditEntry): Awaitable<void>;
  auditLog(id: string, limit: number): Awaitable<IdentityAuditEntry[]>;
}
