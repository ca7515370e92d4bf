// Builds Sugar data for a test through the simulator's real REST API, as an admin would.
import { SugarClient } from '../../service/src/sugar/sugar-client.js';

export interface PersonSpec {
  module: 'Contacts' | 'Leads' | 'Prospects' | 'Accounts';
  first_name?: string;
  name?: string;
  emails?: Array<{ address: string; primary?: boolean; opt_out?: boolean; invalid?: boolean }>;
  fields?: Record<string, unknown>;
}

export function adminClient(simUrl: string) {
  return new SugarClient({ baseUrl: simUrl, username: 'admin', password: 'admin', platform: 'base', retryBaseMs: 1 });
}

export async function createPerson(sugar: SugarClient, p: PersonSpec): Promise<string> {
  const email = (p.emails ?? []).map((e, i) => ({
    email_address: e.address,
    primary_address: e.primary ?? i === 0,
    opt_out: e.opt_out ?? false,
    invalid_email: e.invalid ?? false,
  }));
  const body: Record<string, unknown> = { ...p.fields, email };
  if (p.module === 'Accounts') body.name = p.name ?? p.first_name ?? 'Account';
  else {
    body.first_name = p.first_name ?? 'Pat';
    body.last_name = 'Tester';
  }
  const rec = await sugar.post<{ id: string }>(`/${p.module}`, body);
  return rec.id;
}

export async function createList(sugar: SugarClient, name: string, listType = 'default', domainName?: string): Promise<string> {
  const rec = await sugar.post<{ id: string }>('/ProspectLists', { name, list_type: listType, ...(domainName ? { domain_name: domainName } : {}) });
  return rec.id;
}

const LINK_OF = { Contacts: 'contacts', Leads: 'leads', Prospects: 'prospects', Accounts: 'accounts' } as const;

export async function addToList(sugar: SugarClient, listId: string, module: PersonSpec['module'], ids: string[]) {
  await sugar.post(`/ProspectLists/${listId}/link`, { link_name: LINK_OF[module], ids });
}

/** `n` addresses `${prefix}0@${domain}`, `${prefix}1@${domain}`, …: the people of a test list. */
export const numberedAddresses = (prefix: string, n: number, domain = 'example.org') => Array.from({ length: n }, (_, i) => `${prefix}${i}@${domain}`);

/** A Target List of new records, one per spec (a Contact where the spec names no module); returns the list's id. */
export async function createListOf(sugar: SugarClient, name: string, people: ReadonlyArray<Omit<PersonSpec, 'module'> & Partial<PersonSpec>>): Promise<string> {
  const byModule = new Map<PersonSpec['module'], string[]>();
  for (const p of people) {
    const module = p.module ?? 'Contacts';
    byModule.set(module, [...(byModule.get(module) ?? []), await createPerson(sugar, { ...p, module })]);
  }
  const listId = await createList(sugar, name);
  for (const [module, ids] of byModule) await addToList(sugar, listId, module, ids);
  return listId;
}

/** A Target List of new Contacts, one per address, first names `${prefix}0`, `${prefix}1`, …; returns the list's id. */
export function createContactList(sugar: SugarClient, name: string, addresses: readonly string[], prefix = 'P'): Promise<string> {
  return createListOf(
    sugar,
    name,
    addresses.map((address, i) => ({ first_name: `${prefix}${i}`, emails: [{ address }] })),
  );
}
