// The migration that marks when a campaign's links were saved (SQLite 0022, PostgreSQL 0024) on a database written
// before it: a campaign with links, and one without links whose mail went out, count as saved and stay tracked; one
// sending with neither (its links not saved yet when the version changed) is upcoming until its links are saved.
import { describe, expect, it } from 'vitest';
import { adaptersBefore } from './before-migration.js';

const at = new Date().toISOString();
const campaign = (id: string) => `('${id}', '${id}', 'sending', 'Hi', 'Acme', 'news@acme.test', '${at}', '${at}', '${at}')`;
const row = (id: string, state: string) => `('${id}', '${id}@x.test', 'Contacts', 'r-${id}', 'tl-1', '${id}@x.test', '${state}')`;

describe.each(adaptersBefore('0022_', '0024_'))('links saved, on a database from before ($name)', (adapter) => {
  it('counts a campaign with links, or with mail out, as saved; one with neither is upcoming until its links are saved', async () => {
    const { sql, reopen } = await adapter.open();
    sql(`INSERT INTO campaigns (id, name, status, subject, from_name, from_email, send_at, created_at, updated_at)
      VALUES ${['linked', 'plain', 'starting'].map(campaign).join(', ')}`);
    sql(`INSERT INTO recipients (campaign_id, address_key, module, record_id, list_id, email, state)
      VALUES ${[row('linked', 'queued'), row('plain', 'accepted'), row('starting', 'queued')].join(', ')}`);
    sql(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES ('linked', 0, 'https://linked.test/a')`);
    const store = await reopen();
    try {
      const since = new Date(Date.now() - 86_400_000).toISOString();
      const read = await store.campaigns.trackedLinks(since, 100);
      expect([...new Set(read.spans.map((s) => s.campaignId))].sort()).toEqual(['linked', 'plain']);
      expect(read.links).toEqual({ linked: ['https://linked.test/a'] });
      expect(read.upcoming).toEqual(['starting']);
      await store.campaigns.saveLinks('starting', ['https://starting.test/a']);
      expect(await store.campaigns.trackedAmong(['starting'])).toEqual(['starting']);
    } finally {
      await store.close();
    }
  }, 60_000);
});
