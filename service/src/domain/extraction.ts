// Decides, for one candidate, whether it is queued or skipped and why. The order of the checks
// follows Sugar's own sender (sugar-platform.md §6 "Outcome") so our audit reads like Sugar's log.
import { addressKey } from './address.js';
import type { SkipReason, Target, TargetModule } from './types.js';

export interface SugarEmailEntry {
  email_address?: string;
  email_address_id?: string;
  primary_address?: boolean;
  opt_out?: boolean;
  invalid_email?: boolean;
}

export interface Candidate {
  module: TargetModule;
  id: string;
  listId: string;
  email: SugarEmailEntry[] | undefined;
  fields: Record<string, string>;
  trackingConsent: boolean;
}

/** Built from the exempt lists of the campaign before any candidate is judged. */
export interface ExemptRules {
  members: Set<string>; // `${module}:${id}`
  addresses: Set<string>; // address keys
  domains: Set<string>; // lower-case ASCII domains
}

export type Decision = { queue: Target & { addressKey: string } } | { skip: SkipReason };

export const emptyExemptRules = (): ExemptRules => ({ members: new Set(), addresses: new Set(), domains: new Set() });

export function primaryAddress(email: SugarEmailEntry[] | undefined): SugarEmailEntry | undefined {
  if (!Array.isArray(email) || email.length === 0) return undefined;
  return email.find((e) => e.primary_address === true) ?? email[0];
}

/**
 * `seen` collects the address keys already queued in this campaign; it is updated here so that
 * duplicates across lists and modules are caught in one pass.
 */
export function decide(c: Candidate, exempt: ExemptRules, seen: Set<string>, isSuppressed: (key: string) => boolean): Decision {
  if (exempt.members.has(`${c.module}:${c.id}`)) return { skip: 'exempt' };
  const primary = primaryAddress(c.email);
  const address = primary?.email_address?.trim();
  if (!primary || !address) return { skip: 'no_address' };
  const key = addressKey(address);
  if (key === null) return { skip: 'malformed' };
  if (primary.opt_out === true) return { skip: 'opted_out' };
  if (primary.invalid_email === true) return { skip: 'invalid' };
  if (exempt.addresses.has(key) || exempt.domains.has(key.slice(key.lastIndexOf('@') + 1))) return { skip: 'exempt' };
  if (isSuppressed(key)) return { skip: 'suppressed' };
  if (seen.has(key)) return { skip: 'duplicate' };
  seen.add(key);
  return {
    queue: {
      module: c.module,
      id: c.id,
      listId: c.listId,
      email: address,
      emailAddressId: primary.email_address_id,
      fields: c.fields,
      trackingConsent: c.trackingConsent,
      addressKey: key,
    },
  };
}
