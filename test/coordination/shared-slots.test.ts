// A mailbox provider's concurrency shared by processes on one PostgreSQL: delivery controls, each on its own store (as
// separate processes are), send as one identity to Gmail through a real SMTP server that counts the transactions it
// has open at once per recipient domain. With Gmail's concurrency 3, the server never sees more than 3 across the
// three processes, and each of them gets to send; without the shared slots (the control case) each process keeps
// its own 3, and the server sees more. A holder that is SIGKILLed (a real child process) stops renewing its lease,
// and its slots go to the others once it expires — not before.
import { type ChildProcess, spawn } from 'node:child_process';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedSlots, type SlotBook } from '../../service/src/coordination/shared-slots.js';
import type { SenderIdentity } from '../../service/src/domain/identity.js';
import { createDeliveryControl, type DeliveryControl } from '../../service/src/sending/delivery-control.js';
import { openPgStore } from '../../service/src/store/pg/db.js';
import { startCountingSmtp } from '../support/counting-smtp.js';
import { debianPgBin, useProcessStores } from '../support/postgres.js';
import { testIdentity } from '../support/senders.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!debianPgBin())("a provider's concurrency shared by processes on PostgreSQL", () => {
  const { stores, server } = useProcessStores('slots', { owners: ['a', 'b', 'c'], poolSize: 3 });
  let smtp: Awaited<ReturnType<typeof startCountingSmtp>>;
  const books: SlotBook[] = [];
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    smtp = await startCountingSmtp(40);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const b of books) await b.close();
    await smtp.close();
  });

  /** One delivery control per process (store); `share` false: only rates, throttles and day limits are shared, as before the slots. */
  const controls = (share: boolean, ttlMs = 1500) =>
    stores.map((s, n) => {
      const slots = share ? createSharedSlots({ repo: s.providerSlots, owner: ['a', 'b', 'c'][n], ttlMs }) : undefined;
      if (slots) books.push(slots);
      return createDeliveryControl({ acceptedOn: () => ({}), ...(slots ? { slots } : {}) });
    });

  const identity = (id: string): SenderIdentity =>
    testIdentity({
      id,
      rate: { perSecond: 10_000, perHour: 0, perDay: 0 },
      relay: { url: 'smtp://x', hasPassword: false, maxConnections: 6 },
      providerLimits: { google: { concurrency: 3 } },
    });

  /** Every control sends to Gmail through its own pool of 6 connections, from 6 workers, for `ms`: how many each. */
  async function sendFromAll(cs: DeliveryControl[], i: SenderIdentity, ms: number) {
    const t0 = performance.now();
    return await Promise.all(
      cs.map(async (c, n) => {
        const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 6 });
        let sent = 0;
        const worker = async (w: number) => {
          while (performance.now() - t0 < ms) {
            const a = c.admit(i, 'google');
            if (!a.ok) {
              await sleep('waitMs' in a ? a.waitMs : 50);
              continue;
            }
            const epoch = c.started(i, 'google');
            await transport.sendMail({ from: 'news@acme.example', to: `p${n}w${w}-${sent}@gmail.com`, subject: 'x', text: 'x' });
            sent++;
            c.finished(i, 'google', epoch, { outcome: 'accepted', text: '250 ok' });
          }
        };
        await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
        transport.close();
        return sent;
      }),
    );
  }

  it('the SMTP server never sees more transactions to Gmail at once than its concurrency, across three processes', async () => {
    smtp.reset();
    const sent = await sendFromAll(controls(true), identity('id-shared-slots'), 2500);
    console.log(`sent per process with shared slots: ${sent.join(', ')}; most at once: ${smtp.most('gmail.com')}`);
    expect(smtp.most('gmail.com')).toBe(3);
    // Each process got a share (a fair share while another waits), and together they kept Gmail busy.
    expect(Math.min(...sent)).toBeGreaterThan(0);
    expect(sent.reduce((a, b) => a + b)).toBeGreaterThan(20);
  });

  it('a process alone keeps the whole concurrency', async () => {
    smtp.reset();
    const [alone] = controls(true);
    const [sent] = await sendFromAll([alone], identity('id-alone'), 1000);
    expect(smtp.most('gmail.com')).toBe(3);
    expect(sent).toBeGreaterThan(10);
  });

  it('control: without the shared slots each process keeps its own 3, and the server sees more', async () => {
    smtp.reset();
    const sent = await sendFromAll(controls(false), identity('id-unshared-slots'), 1500);
    console.log(`sent per process without: ${sent.join(', ')}; most at once: ${smtp.most('gmail.com')}`);
    expect(smtp.most('gmail.com')).toBeGreaterThan(3);
  });

  it("a killed holder's slots go to the others once its lease expires, not before", async () => {
    const ttlMs = 1200;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/coordination/fixtures/slot-holder.ts'], {
      env: {
        ...process.env,
        LEADFWD_DATABASE_URL: server().url,
        SLOT_SCHEMA: 'slots',
        SLOT_IDENTITY: 'id-killed',
        SLOT_PROVIDER: 'google',
        SLOT_LIMIT: '3',
        SLOT_TTL_MS: String(ttlMs),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const held = await new Promise<string>((resolve) => child.stdout!.on('data', (c: Buffer) => resolve(c.toString().trim())));
    expect(held).toBe('held 3');
    const [a] = controls(true, ttlMs);
    const i = identity('id-killed');
    // Twice the lease's life: the living holder renews it, and this process gets nothing.
    const until = performance.now() + 2 * ttlMs;
    while (performance.now() < until) {
      expect(a.admit(i, 'google').ok).toBe(false);
      await sleep(50);
    }
    child.kill('SIGKILL');
    const killedAt = performance.now();
    await new Promise((r) => child.once('exit', r));
    let got = 0;
    while (got < 3 && performance.now() - killedAt < 4 * ttlMs) {
      if (a.admit(i, 'google').ok) {
        a.started(i, 'google');
        got++;
      } else await sleep(20);
    }
    expect(got).toBe(3);
    // Not before the lease ran out: renewed every third of its life, it outlived the kill by at least two thirds.
    expect(performance.now() - killedAt).toBeGreaterThan(ttlMs / 2);
  });

  it("fails closed: a process that lost the database sends nothing once its lease may have expired, so the others' never add to its own", async () => {
    const ttlMs = 900;
    const lost = await openPgStore(server().url, { schema: 'slots', owner: 'lost', poolSize: 1 });
    const lostBook = createSharedSlots({ repo: lost.providerSlots, owner: 'lost', ttlMs });
    const [cut, other] = [createDeliveryControl({ acceptedOn: () => ({}), slots: lostBook }), controls(true, ttlMs)[0]];
    const i = identity('id-outage');
    let onWire = 0;
    let most = 0;
    let outageAt = Number.POSITIVE_INFINITY;
    let lastByCut = 0;
    let otherAfterExpiry = 0;
    const t0 = performance.now();
    /** A process sending to Gmail, each message 20 ms on the wire, for 3.5 s. */
    const run = async (c: DeliveryControl, isCut: boolean) => {
      const worker = async () => {
        while (performance.now() - t0 < 3500) {
          const a = c.admit(i, 'google');
          if (!a.ok) {
            await sleep('waitMs' in a ? a.waitMs : 50);
            continue;
          }
          const epoch = c.started(i, 'google');
          most = Math.max(most, ++onWire);
          if (isCut) lastByCut = performance.now();
          else if (performance.now() > outageAt + ttlMs) otherAfterExpiry++;
          await sleep(20);
          onWire--;
          c.finished(i, 'google', epoch, { outcome: 'accepted', text: '250 ok' });
        }
      };
      await Promise.all([0, 1, 2, 3].map(worker));
    };
    const cutting = (async () => {
      while (!lastByCut && performance.now() - t0 < 3000) await sleep(10); // it got its share from the other
      await sleep(200);
      outageAt = performance.now();
      await lost.close(); // every later round trip of this process fails
    })();
    await Promise.all([run(cut, true), run(other, false), cutting]);
    await lostBook.close();
    expect(most).toBeLessThanOrEqual(3);
    // It sent before the outage and stopped within its lease's life, while the other went on with every slot.
    expect(lastByCut).toBeGreaterThan(t0);
    expect(lastByCut - outageAt).toBeLessThan(ttlMs);
    expect(otherAfterExpiry).toBeGreaterThan(20);
  });
});
