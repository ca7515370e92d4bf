// Issue 12, finding 2: inbound SMTP could exhaust memory without credentials. In the review 40 connections to
// fbl@ sending 9.5 MB each, never ending DATA, took the process from 164 MB to 573 MB, in the process that also
// serves the open pixel and sends mail. Now a message is capped (1 MB, 552 5.3.4, only a head kept), bytes held
// across connections are capped (16 MB), and so are connections (50, 5 per IP), idle time and DATA time.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type InboundListener, type InboundListenerOptions, startInboundListener } from '../../service/src/mail/inbound/listener.js';
import { freePort } from '../support/postgres.js';
import { randomSecret } from '../support/secrets.js';
import { createServiceRig, type ServiceRig } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';

const DOMAIN = 'bounces.leadfwd.localhost';
/**
 * The bound README states for the defaults: a flood grows the process by less than this. At most 16 MB of
 * messages are held; the rest is socket buffers and the garbage of reading 380 MB at loopback speed, which the
 * GC takes back (measured +90 MB; the code before held every message whole: +575 MB).
 */
const RSS_BOUND_MB = 128;

/** An SMTP client that goes as far as DATA and then streams `mb` megabytes without ending the message. */
class Flooder {
  private sock!: Socket;
  private got = '';
  private waiters: Array<() => void> = [];
  static async open(port: number): Promise<Flooder> {
    const f = new Flooder();
    f.sock = connect({ host: '127.0.0.1', port });
    f.sock.setEncoding('utf8');
    f.sock.on('data', (c: string) => {
      f.got += c;
      for (const w of f.waiters.splice(0)) w();
    });
    f.sock.on('error', () => undefined);
    f.sock.on('close', () => {
      f.got += '\n<closed>';
      for (const w of f.waiters.splice(0)) w();
    });
    return f;
  }
  get transcript() {
    return this.got;
  }
  async expect(re: RegExp, timeoutMs = 20_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (!re.test(this.got)) {
      if (Date.now() > until) throw new Error(`no ${re} in ${JSON.stringify(this.got.slice(-300))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return this.got;
  }
  async startData(): Promise<boolean> {
    await this.expect(/^(220|421) /m);
    if (/^421 /m.test(this.got)) return false;
    this.sock.write(`EHLO flood.test\r\n`);
    await this.expect(/^250 /m);
    this.sock.write(`MAIL FROM:<>\r\nRCPT TO:<fbl@${DOMAIN}>\r\nDATA\r\n`);
    await this.expect(/^354 /m);
    return true;
  }
  async stream(mb: number): Promise<void> {
    const chunk = Buffer.alloc(64 * 1024, 'y');
    chunk.write('Subject: flood\r\n\r\n');
    for (let i = 0; i < mb * 16 && !this.sock.destroyed; i++) {
      if (!this.sock.write(chunk)) await new Promise((r) => this.sock.once('drain', r));
    }
  }
  async finish(): Promise<string> {
    const from = this.got.length;
    this.sock.write('\r\n.\r\n');
    const until = Date.now() + 60_000;
    for (;;) {
      const reply = this.got
        .slice(from)
        .split('\r\n')
        .find((l) => /^[245]\d\d /.test(l));
      if (reply) return reply;
      if (Date.now() > until || this.got.endsWith('<closed>')) return `no reply: ${this.got.slice(from, from + 200)}`;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
  drip() {
    if (!this.sock.destroyed) this.sock.write('z');
  }
  destroy() {
    this.sock.destroy();
  }
}

describe('a flood of big messages that never end, against the service process', () => {
  let rig: ServiceRig;
  let child: ChildProcess;
  let bouncePort: number;
  // The service as `npm start` runs it, so its memory is measured apart from the flooding client's. 40 connections
  // from one address: per-IP raised so that the byte cap, not the per-IP cap, is what holds.
  beforeAll(async () => {
    bouncePort = await freePort();
    rig = await createServiceRig('flood', {
      LEADFWD_INBOUND_MAX_CLIENTS_PER_IP: '100',
      LEADFWD_BOUNCE_SMTP_PORT: String(bouncePort),
      LEADFWD_SEND_THREADS: '0',
    });
    child = await rig.start();
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it(`grows the process by less than ${RSS_BOUND_MB} MB while the pixel and /healthz keep answering; each sender gets 552 5.3.4`, async () => {
    const url = `http://127.0.0.1:${rig.port}`;
    const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    for (let i = 0; i < 50; i++)
      await Promise.all([fetch(`${url}/healthz`).then((r) => r.arrayBuffer()), fetch(`${url}/t/o/o1.AAAAAAAAAAAAAAAAAAAAAA`).then((r) => r.arrayBuffer())]);
    await new Promise((r) => setTimeout(r, 500));
    const before = rssMb();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb());
    }, 10);
    let slowest = 0;
    let answered = 0;
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const t = performance.now();
        const [health, pixel] = await Promise.all([fetch(`${url}/healthz`), fetch(`${url}/t/o/o1.AAAAAAAAAAAAAAAAAAAAAA`)]);
        expect(health.status).toBe(200);
        expect(pixel.headers.get('content-type')).toBe('image/gif');
        await Promise.all([health.arrayBuffer(), pixel.arrayBuffer()]);
        slowest = Math.max(slowest, performance.now() - t);
        answered++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const flooders = await Promise.all(Array.from({ length: 40 }, () => Flooder.open(bouncePort)));
    const started = await Promise.all(flooders.map((f) => f.startData()));
    expect(started.every(Boolean)).toBe(true);
    const answeredBefore = answered;
    await Promise.all(flooders.map((f) => f.stream(9.5)));
    await new Promise((r) => setTimeout(r, 200)); // the service reads what is still in flight, DATA still open
    const replies = await Promise.all(flooders.map((f) => f.finish()));
    const answeredDuring = answered - answeredBefore;
    probing = false;
    await probes;
    clearInterval(sampler);
    for (const f of flooders) f.destroy();

    const grew = peak - before;
    console.log(
      `inbound flood: service RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MB (+${grew.toFixed(1)}), slowest healthz+pixel ${slowest.toFixed(0)} ms`,
    );
    expect(
      replies.every((r) => /^552 5\.3\.4 /.test(r)),
      replies.join('\n'),
    ).toBe(true);
    expect(grew).toBeLessThan(RSS_BOUND_MB);
    // Latency is the benchmark's business (it depends on the machine's load): here, probes were answered mid-flood.
    expect(answeredDuring).toBeGreaterThan(0);
    const counts = await rig.api('/campaigns');
    expect(counts.campaigns).toEqual([]);
  }, 120_000);
});

const listeners: InboundListener[] = [];
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.close();
});
/** An inbound listener for DOMAIN on a free loopback port, with `o` on top; closed after the test. */
async function listen(o: Omit<InboundListenerOptions, 'port' | 'host' | 'secret' | 'bounceDomain'>): Promise<InboundListener> {
  const listener = await startInboundListener({ port: 0, host: '127.0.0.1', secret: randomSecret(), bounceDomain: DOMAIN, ...o });
  listeners.push(listener);
  return listener;
}

describe('the byte cap across connections', () => {
  it('never holds more than the cap; a message of a fine size that finds no room gets 452 and is retried, nothing is lost', async () => {
    const handled: string[] = [];
    const listener = await listen({
      maxBytes: 1024 * 1024,
      maxBufferedBytes: 2 * 1024 * 1024,
      maxClientsPerIp: 100,
      handle: (route) => {
        handled.push(route.type);
        return 'ok';
      },
    });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, listener.stats().bufferedBytes);
    }, 1);
    const fs = await Promise.all(Array.from({ length: 6 }, () => Flooder.open(listener.port)));
    await Promise.all(fs.map((f) => f.startData()));
    await Promise.all(fs.map((f) => f.stream(0.75))); // 6 x 0.75 MB: each fits the size, not all fit the cap
    await waitFor(() => listener.stats().bufferedBytes > 1024 * 1024 || undefined, 'the messages to arrive');
    await new Promise((r) => setTimeout(r, 300));
    const replies = await Promise.all(fs.map((f) => f.finish()));
    clearInterval(sampler);
    expect(peak).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(replies.filter((r) => r.startsWith('250 ')).length).toBe(handled.length);
    expect(replies.filter((r) => /^452 4\.3\.1 /.test(r)).length).toBeGreaterThan(0);
    expect(
      replies.every((r) => /^(250|452) /.test(r)),
      replies.join('\n'),
    ).toBe(true);
    expect(listener.stats().bufferedBytes).toBe(0);
    for (const f of fs) f.destroy();
  }, 30_000);
});

describe('connection, idle and DATA limits', () => {
  it('refuses a sixth connection from one address with 421, closes idle and dripping sessions, and frees their bytes', async () => {
    const listener = await listen({ idleTimeoutMs: 500, dataTimeoutMs: 1500, handle: () => 'ignored' });
    const five = await Promise.all(Array.from({ length: 5 }, () => Flooder.open(listener.port)));
    expect(await Promise.all(five.map((f) => f.startData()))).toEqual([true, true, true, true, true]);
    const sixth = await Flooder.open(listener.port);
    await sixth.expect(/^421 4\.7\.0 Too many connections from your address/m);
    // Five sessions in DATA, dripping a little: the idle timer never fires, the DATA deadline does.
    await Promise.all(five.map((f) => f.stream(0.25)));
    await waitFor(() => listener.stats().bufferedBytes > 0 || undefined, 'bytes held');
    const drip = setInterval(() => {
      for (const f of five) f.drip();
    }, 150);
    await Promise.all(five.map((f) => f.expect(/^421 4\.4\.2 DATA took too long/m, 5000)));
    clearInterval(drip);
    await five[0].expect(/<closed>/, 5000);
    expect(listener.stats().bufferedBytes).toBe(0);
    // A connection that says nothing is closed by the idle timeout.
    const idle = await Flooder.open(listener.port);
    await idle.expect(/^220 /m);
    await idle.expect(/^421 .*Timeout/m, 5000);
  }, 30_000);

  it('refuses a message announced too big at MAIL FROM, before any byte of it', async () => {
    const listener = await listen({ handle: () => 'ignored' });
    const f = await Flooder.open(listener.port);
    await f.expect(/^220 /m);
    (f as unknown as { sock: Socket }).sock.write('EHLO x\r\nMAIL FROM:<> SIZE=5000000\r\n');
    await f.expect(/^552 .*exceeds fixed maximum message size/m);
    f.destroy();
  });
});
