// Issue 3 "Must show": a campaign over lists with opted-out, invalid, duplicate, exempt and missing
// addresses sends exactly once to each eligible target, with an audit that balances, DKIM that
// verifies over the list headers, multipart/alternative bodies and escaped merge values.

import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredTo, expectBalancedAudit } from '../support/campaign-checks.js';
import { campaignBody, untilCampaign } from '../support/campaigns.js';
import { type Stack, startStack } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';

let stack: Stack;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack();
  const sugar = adminClient(stack.sim.url);
  const person = async (key: string, spec: Parameters<typeof createPerson>[1]) => {
    ids[key] = await createPerson(sugar, spec);
  };
  await person('ann', { module: 'Contacts', first_name: 'Ann', emails: [{ address: 'ann@example.com' }], fields: { region_c: 'North' } });
  await person('xss', {
    module: 'Contacts',
    first_name: '<script>alert(1)</script>',
    emails: [{ address: 'xss@example.com' }],
    fields: { region_c: 'a&b "c"' },
  });
  await person('optout', { module: 'Contacts', first_name: 'Olly', emails: [{ address: 'olly@example.com', opt_out: true }] });
  await person('invalid', { module: 'Leads', first_name: 'Ivan', emails: [{ address: 'ivan@example.com', invalid: true }] });
  await person('noaddr', { module: 'Leads', first_name: 'Nora' });
  await person('dupLead', { module: 'Leads', first_name: 'Ann again', emails: [{ address: 'ANN@Example.com' }] });
  await person('bob', { module: 'Prospects', first_name: 'Bob', emails: [{ address: 'bob@example.org' }] });
  await person('exemptMember', { module: 'Prospects', first_name: 'Eve', emails: [{ address: 'eve@example.org' }] });
  await person('blockedDomain', { module: 'Contacts', first_name: 'Dan', emails: [{ address: 'dan@blocked.test' }] });

  const listA = await createList(sugar, 'Newsletter A');
  const listB = await createList(sugar, 'Newsletter B');
  const exempt = await createList(sugar, 'Do not mail', 'exempt');
  const domains = await createList(sugar, 'Blocked domains', 'exempt_domain', 'blocked.test');
  await addToList(sugar, listA, 'Contacts', [ids.ann, ids.xss, ids.optout, ids.blockedDomain]);
  await addToList(sugar, listA, 'Leads', [ids.invalid, ids.noaddr]);
  await addToList(sugar, listB, 'Leads', [ids.dupLead]);
  await addToList(sugar, listB, 'Prospects', [ids.bob, ids.exemptMember]);
  await addToList(sugar, listB, 'Contacts', [ids.ann]);
  await addToList(sugar, exempt, 'Prospects', [ids.exemptMember]);
  Object.assign(ids, { listA, listB, exempt, domains });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a campaign end to end', () => {
  let campaign: any;

  it('extracts, waits for its time, sends and reports a balanced audit', async () => {
    const created = await stack.api(
      'POST',
      '/campaigns',
      campaignBody([ids.listA, ids.listB, ids.exempt, ids.domains], {
        subject: 'Hello {{ first_name | default: "there" }}',
        fromName: 'Spring Team',
        html:
          '<p>Hi {{ first_name | default: "there" }} from {{ region_c | default: "nowhere" }}</p>' +
          '<a href="https://shop.example.com/spring?utm_source=leadfwd&utm_campaign=spring">Shop</a>',
        customFields: ['region_c'],
        sendAt: new Date(Date.now() + 1500).toISOString(),
      }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    const pending = await untilCampaign(stack.api, id, 'pending', 'pending');
    expect(stack.sink.messages).toHaveLength(0); // held until its time
    campaign = await untilCampaign(stack.api, id, 'sent', 'sent');

    const a = campaign.audit;
    expect(a.queued).toBe(3); // ann, xss, bob
    expect(expectBalancedAudit(a)).toMatchObject({ opted_out: 1, invalid: 1, no_address: 1, duplicate: 2, exempt: 2 });
    expect(pending.audit.queued).toBe(3);
    expect(campaign.progress).toMatchObject({ accepted: 3, queued: 0, sending: 0 });
    expect(campaign.history.map((h: any) => h.status)).toEqual(['draft', 'extracting', 'pending', 'sending', 'sent']);
  });

  it('delivered exactly one message to each eligible address and none to the others', () => {
    // Sugar shares one address row between Ann and the duplicate Lead and keeps the latest casing
    // (sugar-fact-check row 10), so compare case-insensitively.
    expect(deliveredTo(stack)).toEqual(['ann@example.com', 'bob@example.org', 'xss@example.com']);
  });

  it('signs with DKIM over the list headers and builds multipart/alternative with escaped merges', async () => {
    for (const m of stack.sink.messages) {
      const result = await dkimVerify(m.raw, {
        resolver: async (name: string, type: string) => {
          if (type === 'TXT' && name === `${stack.dkim.selector}._domainkey.${stack.dkim.domain}`) {
            return [[`v=DKIM1; k=rsa; p=${stack.dkim.publicKeyDer.toString('base64')}`]];
          }
          throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
        },
      });
      const sig = result.results[0];
      expect(sig.status.result).toBe('pass');
      const header = /^DKIM-Signature:([\s\S]*?)\r?\n(?=\S)/im.exec(m.raw.toString())?.[1] ?? '';
      const signed = (/\bh=([^;]+)/.exec(header.replace(/\s+/g, ''))?.[1] ?? '').toLowerCase().split(':');
      expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'feedback-id', 'from', 'subject', 'message-id']));

      const raw = m.raw.toString();
      expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
      const parsed = await PostalMime.parse(m.raw);
      expect(parsed.text).toBeTruthy();
      expect(parsed.html).toBeTruthy();
      expect(parsed.html).not.toContain('<script>');
      if (m.envelope.to[0] === 'xss@example.com') {
        expect(parsed.html).toContain('&lt;script&gt;');
        expect(parsed.html).toContain('a&amp;b');
      }
      expect(parsed.html).not.toContain('https://shop.example.com'); // rewritten to a tracked link
      expect(parsed.headers.find((h) => h.key === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click');
    }
    const ann = await PostalMime.parse(stack.sink.messages.find((m) => m.envelope.to[0].toLowerCase() === 'ann@example.com')!.raw);
    expect(ann.subject).toBe('Hello Ann');
    expect(ann.html).toContain('from North');
  });
});
