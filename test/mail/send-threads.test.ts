// Send threads against a real SMTP server on port 0: every row handed over is answered exactly
// once, messages arrive DKIM-signed, and a thread that dies answers for (or is answered for)
// every row it held, then is replaced.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../service/src/domain/types.js';
import { parseVerp } from '../../service/src/domain/verp.js';
import { type DataEndMark, type Delivery, MESSAGES_PER_CONNECTION, type RowResult } from '../../service/src/mail/in-process-delivery.js';
import { createThreadDelivery, specOf } from '../../service/src/mail/send-threads/pool.js';
import { type SmtpSink, startSmtpSink } from '../../service/src/mail/sink.js';
import { compileCampaign } from '../../service/src/mail/template.js';
import { testProfile } from '../support/senders.js';
import { waitFor } from '../support/stack.js';
import { ctx, dkimResolver, testKeys } from './helpers.js';

const DOMAIN = 'acme.example';
const SELECTOR = 'lf2026';
let sink: SmtpSink;

const campaign = (id: string): Campaign => ({
  id,
  name: id,
  status: 'sending',
  subject: 'Hi {{ first_name | default: "there" }}',
  fromName: 'ACME',
  fromEmail: `news@${DOMAIN}`,
  html: '<html><body><p>Hello {{ first_name }}</p><a href="https://acme.example/a">A</a> <a href="https://acme.example/b">B</a></body></html>',
  targetListIds: [],
  leadfwdListIds: [],
  customFields: [],
  sendAt: new Date().toISOString(),
  createdAt: '',
  updatedAt: '',
});
const compiled = (c: Campaign) => compileCampaign(specOf(c));
const rows = (from: number, n: number, email = (i: number) => `p${i}@example.org`) =>
  Array.from({ length: n }, (_, k) => ({ rowId: from + k, email: email(from + k), fields: { first_name: `P${from + k}` }, trackingConsent: true }));

/** The sink as the campaign's relay, signed with the test key. */
const profile = () =>
  testProfile(`smtp://127.0.0.1:${sink.port}`, { maxConnections: 2, dkim: { domainName: DOMAIN, keySelector: SELECTOR, privateKeyPem: testKeys().pem } });

/** Opens a campaign and collects answers; `settled(n)` resolves once n rows were answered. */
async function session(d: Delivery, c: Campaign, dataEnd?: DataEndMark) {
  const answers: RowResult[] = [];
  let notify = () => {};
  const s = await d.open(
    c,
    profile(),
    (r) => {
      answers.push(...r);
      notify();
    },
    dataEnd,
  );
  const settled = (n: number) =>
    new Promise<RowResult[]>((resolve) => {
      notify = () => {
        if (answers.length >= n) resolve(answers);
      };
      notify();
    });
  return { ...s, answers, settled };
}

/** A test thread that throws or exits when it meets crash@… or exit@…. */
const CRASHING_THREAD = new URL('../sending/fixtures/crashing-thread.ts', import.meta.url).href;

/** Runs `use` on a thread delivery and closes it, so a failed expectation leaves no thread behind. */
async function withDelivery(over: Partial<Parameters<typeof createThreadDelivery>[0]>, use: (d: Delivery) => Promise<void>) {
  const d = createThreadDelivery({ threads: 2, maxConnections: 2, messageContext: { ...ctx }, compiled, ...over });
  try {
    await use(d);
  } finally {
    await d.close();
  }
}

beforeAll(async () => {
  sink = await startSmtpSink({ port: 0, behaviour: (rcpt) => (rcpt.startsWith('unknown') ? { code: 550, message: '5.1.1 No such user here' } : 'accept') });
});
afterAll(async () => {
  await sink?.close();
});

describe('thread delivery', () => {
  it.each([
    [0, 'on the send thread'],
    [1, 'on a signer of the send thread'],
  ])('answers every row exactly once and delivers each message signed (%i signers: %s), once', async (dkimWorkers) => {
    await withDelivery({ dkimWorkers }, async (d) => {
      const c = campaign('pool-basic');
      const s = await session(d, c);
      const before = sink.messages.length;
      s.send(rows(1, 25));
      s.send(rows(26, 15, (i) => (i === 30 ? 'unknown30@example.org' : `p${i}@example.org`)));
      const answers = await s.settled(40);
      expect(answers.map((a) => a.rowId).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      const byRow = new Map(answers.map((a) => [a.rowId, a]));
      expect(byRow.get(30)!.result).toMatchObject({ outcome: 'permanent', code: 550 });
      expect(byRow.get(30)!.result.internal).toBeUndefined(); // the relay's verdict, a bounce fact
      expect(answers.filter((a) => a.result.outcome === 'accepted')).toHaveLength(39);

      const received = sink.messages.slice(before);
      expect(received).toHaveLength(39);
      const verpRows = received.map((m) => parseVerp(ctx.secret, m.envelope.from, ctx.bounceDomain));
      expect(new Set(verpRows).size).toBe(39);
      for (const m of received.slice(0, 4)) {
        const dkim = await dkimVerify(m.raw, { resolver: dkimResolver(SELECTOR, DOMAIN) });
        expect(dkim.results[0].status.result).toBe('pass');
      }
      const accepted = byRow.get(1)!;
      expect(received.some((m) => m.raw.toString().includes(accepted.messageId!))).toBe(true);
      s.close();
    });
  });

  it('sends an MJML campaign from the HTML the main thread compiled, with the same link numbering', async () => {
    await withDelivery({ threads: 1 }, async (d) => {
      const c: Campaign = {
        ...campaign('pool-mjml'),
        html: undefined,
        mjml:
          '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ first_name }} <a href="https://acme.example/one">1</a></mj-text>' +
          '<mj-button href="https://acme.example/two">2</mj-button></mj-column></mj-section></mj-body></mjml>',
      };
      const s = await session(d, c);
      const before = sink.messages.length;
      s.send(rows(500, 2));
      expect((await s.settled(2)).map((a) => a.result.outcome)).toEqual(['accepted', 'accepted']);
      const raw = sink.messages
        .slice(before)
        .map((m) => m.raw.toString())
        .join('\n');
      expect(raw).toContain('Hi P500');
      expect((await compiled(c)).links).toEqual(['https://acme.example/one', 'https://acme.example/two']);
      expect(raw).toMatch(/\/t\/c\/c[0-9a-z]+_[0-9a-f]{8}-1\./); // second link, tokenised
    });
  });

  it('reports a message that cannot be built as our own final failure, not a bounce', async () => {
    await withDelivery({ threads: 1 }, async (d) => {
      const s = await session(d, campaign('pool-build'));
      s.send([{ rowId: -5, email: 'x@example.org', fields: {}, trackingConsent: true }]);
      const [a] = await s.settled(1);
      expect(a.result).toMatchObject({ outcome: 'permanent', internal: true });
      expect(a.result.text).toMatch(/could not be built/);
      expect(a.messageId).toBeUndefined();
    });
  });

  it('refuses bad content when the campaign opens', async () => {
    await withDelivery({ threads: 1 }, async (d) => {
      await expect(d.open({ ...campaign('pool-bad'), fromEmail: 'not an address' }, profile(), () => {})).rejects.toThrow(/fromEmail/);
    });
  });

  it('a thread that throws answers for its rows (on the wire: uncertain, waiting: retryable) and is replaced', async () => {
    await withDelivery({ threads: 1, maxConnections: 1, entry: CRASHING_THREAD }, async (d) => {
      const s = await session(d, campaign('pool-crash'));
      const before = sink.messages.length;
      s.send(rows(100, 10, (i) => (i === 100 ? 'crash@example.org' : `p${i}@example.org`)));
      const first = await s.settled(10);
      expect(new Set(first.map((a) => a.rowId)).size).toBe(10);
      const outcomes = first.map((a) => a.result.outcome);
      // one connection: the thread took up that many rows at once, the rest never started
      expect(outcomes.filter((o) => o === 'retryable')).toHaveLength(10 - MESSAGES_PER_CONNECTION);
      expect(first.filter((a) => a.result.outcome === 'retryable').every((a) => a.result.internal && /before sending/.test(a.result.text))).toBe(true);
      const delivered = sink.messages.length - before;
      expect(delivered).toBeLessThanOrEqual(outcomes.filter((o) => o !== 'retryable').length);

      s.send(rows(200, 3)); // served by the replacement thread
      const all = await s.settled(13);
      expect(all.slice(10).map((a) => a.result.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
    });
  });

  it('a thread that exits while its final dots wait for their marks answers those rows retryable: the server never had them', async () => {
    await withDelivery({ threads: 1, maxConnections: 2, entry: CRASHING_THREAD }, async (d) => {
      const asked: number[] = [];
      const before = sink.messages.length;
      // The ledger never answers: every dot stays held.
      const s = await session(d, campaign('pool-exit-gated'), (rowId) => {
        asked.push(rowId);
        return new Promise<boolean>(() => {});
      });
      s.send(rows(500, 2));
      await waitFor(() => asked.length === 2 || undefined, 'both bodies on the wire, their dots held');
      s.send(rows(510, 1, () => 'exit@example.org'));
      const answers = await s.settled(3);
      for (const a of answers.filter((x) => x.rowId < 510)) {
        expect(a.result).toMatchObject({ outcome: 'retryable', internal: true });
        expect(a.result.text).toMatch(/before the message's final dot/);
      }
      expect(sink.messages.slice(before)).toEqual([]);
    });
  });

  it('rows held by a thread that exits abruptly become uncertain, never silently lost', async () => {
    await withDelivery({ threads: 1, maxConnections: 1, entry: CRASHING_THREAD }, async (d) => {
      const s = await session(d, campaign('pool-exit'));
      s.send(rows(300, 6, (i) => (i === 300 ? 'exit@example.org' : `p${i}@example.org`)));
      s.send(rows(310, 2)); // a second batch the dying thread may never read
      const answers = await s.settled(8);
      expect(new Set(answers.map((a) => a.rowId)).size).toBe(8);
      for (const a of answers.filter((x) => x.rowId < 310)) {
        if (a.result.outcome === 'accepted') continue; // finished before the exit
        // The thread saw these rows and told nobody what became of them.
        expect(a.result).toMatchObject({ outcome: 'uncertain', internal: true });
        expect(a.result.text).toMatch(/exited \(code 3\)/);
      }
      for (const a of answers.filter((x) => x.rowId >= 310)) {
        expect(['accepted', 'uncertain', 'retryable']).toContain(a.result.outcome);
        if (a.result.outcome === 'retryable') expect(a.result.text).toMatch(/before it received/);
      }
      s.send(rows(400, 2));
      const all = await s.settled(10);
      expect(all.slice(8).every((a) => a.result.outcome === 'accepted')).toBe(true);
    });
  });
});
