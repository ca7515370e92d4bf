// Builders for the engagement tests: a real store (real migrations) holding one sent campaign.
import { randomBytes } from 'node:crypto';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import { openStore, type Store } from '../../service/src/store/db.js';
import { toSending } from '../store/helpers.js';

export const SECRET = 'engagement-test-secret';
export const BOUNCE_DOMAIN = 'bounces.news.example.test';

export interface Seeded {
  store: Store;
  campaignId: string;
  rows: Array<{ rowId: number; email: string; messageId: string }>;
}

/** A campaign whose `n` recipients were accepted by the relay at `acceptedAt`, with tracked links. */
export async function seededStore(
  opts: {
    n?: number;
    acceptedAt?: string;
    links?: string[];
    path?: string;
    campaignId?: string;
    /** The adapter to seed (the store contract suites pass theirs); SQLite at `path` otherwise. */
    open?: (o: { clock: () => Date }) => Store | Promise<Store>;
  } = {},
): Promise<Seeded> {
  let now = new Date(opts.acceptedAt ?? '2026-11-26T09:00:00.000Z');
  const clock = () => now;
  const store = opts.open ? await opts.open({ clock }) : openStore(opts.path ?? ':memory:', { clock });
  const campaignId = opts.campaignId ?? 'camp-1';
  await store.campaigns.create(
    {
      name: 'Spring news',
      subject: 'Hello',
      fromName: 'Spring Team',
      fromEmail: 'news@news.example.test',
      html: '<p>Hi</p>',
      targetListIds: ['tl-1'],
      leadfwdListIds: [],
      customFields: [],
      sendAt: now.toISOString(),
    },
    campaignId,
  );
  await toSending(store, campaignId);
  await store.campaigns.saveLinks(
    campaignId,
    opts.links ?? ['https://shop.example.com/spring?utm_source=leadfwd&utm_campaign=spring', 'https://example.com/about#team'],
  );
  const n = opts.n ?? 3;
  await store.recipients.insertMany(
    campaignId,
    Array.from({ length: n }, (_, i) => ({
      module: 'Contacts' as const,
      id: `contact-${i}`,
      listId: 'tl-1',
      email: `Person${i}@Example.com`,
      emailAddressId: `ea-${i}`,
      fields: {},
      trackingConsent: true,
      addressKey: `person${i}@example.com`,
    })),
  );
  const claimed = await store.recipients.claim(campaignId, n, now.toISOString());
  const rows = claimed.map((r) => ({
    rowId: r.rowId,
    email: r.email,
    messageId: `<lf.${campaignId}.${r.rowId}.${randomBytes(9).toString('base64url')}@news.example.test>`,
  }));
  await store.recipients.markOutcomes(rows.map((r) => ({ rowId: r.rowId, state: 'accepted' as const, messageId: r.messageId })));
  now = new Date(now.getTime() + 3_600_000); // later writes (created_at of outbox rows) happen an hour on
  return { store, campaignId, rows };
}

export const later = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000);

/** Changes one character inside the token's MAC, keeping the encoding canonical. */
export function tamper(path: string): string {
  const i = path.length - 5;
  return path.slice(0, i) + (path[i] === 'A' ? 'B' : 'A') + path.slice(i + 1);
}

/** The store, or (while `down.now`) a store whose every call fails as an unreachable database does. */
export function outage<T extends object>(store: T): { store: T; down: { now: boolean } } {
  const down = { now: false };
  const fail = () => {
    throw new StoreUnavailableError('PG_CONNECTION', { detail: 'PostgreSQL cannot be reached' });
  };
  // An empty target: the repositories themselves are frozen, and a proxy may not change what a frozen one holds.
  const gate = <U extends object>(real: U): U =>
    new Proxy({} as U, {
      get(_, key) {
        const v = Reflect.get(real, key);
        if (typeof v !== 'function') return typeof v === 'object' && v !== null ? gate(v) : v;
        return (...args: unknown[]) => (down.now ? fail() : v.apply(real, args));
      },
    });
  return { store: gate(store), down };
}
