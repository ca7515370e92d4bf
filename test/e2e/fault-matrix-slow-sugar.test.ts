// Fault matrix, Sugar slow (2 s per call) for a whole small campaign, with an opt-out on the way:
// extraction, sending and write-back all finish; each target gets one message; the opt-out is
// suppressed and in Sugar; Sugar's CampaignLog equals the service's report.
import { describe, expect, it } from 'vitest';
import { campaignBody } from '../support/campaigns.js';
import { cleanLists } from '../support/service-process.js';
import { type Stack, useStack, waitFor } from '../support/stack.js';

let stack: Stack;
useStack({ env: { LEADFWD_SEND_THREADS: '0' } }, (s) => {
  stack = s;
});

describe('Sugar answering every call after 2 s', () => {
  it('sends each target once and writes everything back, CampaignLog equal to the report', async () => {
    const { listIds } = stack.sim.seedBulk(cleanLists({ lists: 1, perList: 40 }));
    stack.sim.faults.latencyMs = 2000;
    const created = await stack.api('POST', '/campaigns', campaignBody(listIds, { name: 'Slow' }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitFor(async () => (await stack.api('GET', `/campaigns/${id}`)).body.status === 'sent' || undefined, 'sent', 90_000);
    const received = new Map<string, number>();
    for (const m of stack.sink.messages) for (const to of m.envelope.to) received.set(to, (received.get(to) ?? 0) + 1);
    expect(received.size).toBe(40);
    expect([...received.values()].every((n) => n === 1)).toBe(true);

    // One opt-out through the one-click route while Sugar is still slow.
    const raw = String(stack.sink.messages[0].raw);
    const unsub = /<(https?:\/\/[^>]+\/u\/[^>]+)>/.exec(raw)![1];
    expect((await fetch(unsub, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) })).status).toBe(200);

    const view = await waitFor(
      async () => {
        const c = (await stack.api('GET', `/campaigns/${id}`)).body;
        return c.writeback.pending === 0 && c.writeback.hitsPending === 0 && c.writeback.done > 0 && (c.writeback.activity?.removed ?? 0) === 1 ? c : undefined;
      },
      'everything written back',
      120_000,
    );
    const report = (await stack.api('GET', `/campaigns/${id}/report`)).body;
    const counts = stack.sim.campaignLogCounts(view.writeback.sugarCampaignId);
    expect(counts).toMatchObject({ targeted: report.accepted, removed: report.optedOut });
    expect(report).toMatchObject({ accepted: 40, optedOut: 1 });
    expect(view.writeback).toMatchObject({ dead: 0 });
    stack.sim.faults.latencyMs = 0;
  }, 240_000);
});
