// A person's scored events across campaigns: the first human open and click per campaign, and their facts.
import { describe, expect, it } from 'vitest';
import { seededOn, withPostgres } from './adapters.js';

describe.each(withPostgres)('scores port ($name)', ({ open }) => {
  const seeded = seededOn(open);

  it("reads each person's opens and clicks once per campaign (people only) and their bounces, complaints and opt-outs", async () => {
    const { store, campaignId: c, rows } = await seeded({ n: 3 });
    const [a, b, none] = rows.map((r) => r.rowId);
    const rec = async (rowId: number, kind: 'open' | 'click', at: string, human: boolean, linkIndex?: number) =>
      await store.engagement.record({ recipientRowId: rowId, campaignId: c, kind, linkIndex, at, human });
    await rec(a, 'open', '2026-11-26T10:00:00.000Z', false);
    await rec(a, 'open', '2026-11-26T10:05:00.000Z', true);
    await rec(a, 'open', '2026-11-26T11:00:00.000Z', true);
    await rec(a, 'click', '2026-11-26T10:06:00.000Z', true, 0);
    await rec(a, 'click', '2026-11-26T10:07:00.000Z', true, 1);
    await rec(b, 'click', '2026-11-26T10:00:00.000Z', false, 0);
    await store.engagement.addFact({ recipientRowId: b, campaignId: c, fact: 'hard_bounce', at: '2026-11-26T12:00:00.000Z' });
    await store.engagement.addFact({ recipientRowId: b, campaignId: c, fact: 'soft_bounce', at: '2026-11-26T12:00:00.000Z' });
    const events = await store.scores.eventsOf([
      { module: 'Contacts', recordId: 'contact-0' },
      { module: 'Contacts', recordId: 'contact-1' },
      { module: 'Contacts', recordId: 'contact-2' },
      { module: 'Leads', recordId: 'contact-0' },
    ]);
    const sorted = (k: string) => [...(events.get(k) ?? [])].sort((x, y) => x.kind.localeCompare(y.kind));
    expect(sorted('Contacts:contact-0')).toEqual([
      { kind: 'click', at: '2026-11-26T10:06:00.000Z' },
      { kind: 'open', at: '2026-11-26T10:05:00.000Z' },
    ]);
    expect(sorted('Contacts:contact-1')).toEqual([{ kind: 'hardBounce', at: '2026-11-26T12:00:00.000Z' }]);
    expect(events.has('Contacts:contact-2')).toBe(false);
    expect(events.has('Leads:contact-0')).toBe(false); // same id, another module: not this person
    expect(none).toBeGreaterThan(0);
  });
});
