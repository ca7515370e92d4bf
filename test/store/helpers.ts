// Builders shared by the store tests: real files in a fresh temp folder, real migrations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../../service/src/domain/types.js';
import type { Store as PortStore } from '../../service/src/ports/index.js';
import { type NewCampaign, openStore, type SqliteStore, type Store, type StoreOptions } from '../../service/src/store/db.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'leadfwd-store-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `use` on the path of a database file `name` in a fresh temp folder, and removes the folder after it. */
export async function withDatabaseFile<T>(name: string, use: (file: string) => T | Promise<T>): Promise<T> {
  const { dir, cleanup } = tempDir();
  try {
    return await use(join(dir, name));
  } finally {
    cleanup();
  }
}

/** The store on `file` with campaign 'c' holding `n` queued targets. */
export function storeWithTargets(file: string, n: number): SqliteStore {
  const store = openStore(file);
  store.campaigns.create(newCampaign(), 'c');
  store.recipients.insertMany('c', targets(n));
  return store;
}

export function memoryStore(opts?: StoreOptions): Store {
  return openStore(':memory:', opts);
}

export function newCampaign(over: Partial<NewCampaign> = {}): NewCampaign {
  return {
    name: 'Spring launch',
    subject: 'Hello {{first_name}}',
    fromName: 'Acme',
    fromEmail: 'news@acme.test',
    html: '<p>Hi</p>',
    targetListIds: ['tl-1'],
    leadfwdListIds: [],
    customFields: ['industry_c'],
    sendAt: '2026-03-01T09:00:00.000Z',
    ...over,
  };
}

export function targets(n: number, start = 0): Array<Target & { addressKey: string }> {
  return Array.from({ length: n }, (_, i) => {
    const k = start + i;
    return {
      module: 'Contacts' as const,
      id: `c-${k}`,
      listId: 'tl-1',
      email: `Person${k}@Example.test`,
      emailAddressId: `ea-${k}`,
      fields: { first_name: `P${k}` },
      trackingConsent: k % 2 === 0,
      addressKey: `person${k}@example.test`,
    };
  });
}

/** Takes a draft campaign the way a start does, through extracting and pending, to sending. */
export async function toSending(store: Pick<PortStore, 'campaigns'>, campaignId: string): Promise<void> {
  for (const [from, to] of [
    ['draft', 'extracting'],
    ['extracting', 'pending'],
    ['pending', 'sending'],
  ] as const)
    await store.campaigns.transition(campaignId, [from], to);
}

/** A clock the test moves by hand. */
export function manualClock(startIso = '2026-03-01T08:00:00.000Z') {
  let t = Date.parse(startIso);
  return {
    now: () => new Date(t),
    iso: () => new Date(t).toISOString(),
    advance: (ms: number) => {
      t += ms;
    },
  };
}
