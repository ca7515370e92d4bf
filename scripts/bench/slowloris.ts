// Slowloris benchmark: N connections trickling their headers (a byte every 2 s) against the service's HTTP server
// with the configured defaults (LEADFWD_HTTP_*), with a 1000-connection cap, and with Node's defaults (as before).
// Prints the connections the server holds once all have connected and 12 s later, and /healthz's slowest answer.
// Usage: npx tsx scripts/bench/slowloris.ts [connections=3000]   (needs `ulimit -n` above twice that)
// Goal: none held 12 s later with the defaults (headers timeout 10 s); Node's defaults hold every one.
import { request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { loadConfig } from '../../service/src/config.js';
import { createLimitedServer, NODE_DEFAULT_LIMITS, type ServerLimits } from '../../service/src/http/server-limits.js';

const N = Number(process.argv[2] ?? 3000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const held = (s: Server) => new Promise<number>((r) => s.getConnections((_e, n) => r(n)));

/** ms for one /healthz on a connection of its own; undefined when the connection was refused. */
const healthz = (port: number) =>
  new Promise<number | undefined>((resolve) => {
    const start = Date.now();
    request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(Date.now() - start));
    })
      .on('error', () => resolve(undefined))
      .end();
  });

async function run(name: string, limits: ServerLimits): Promise<void> {
  const server = createLimitedServer(limits, (_req, res) => res.end('{"ok":true}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const socks: Socket[] = [];
  let connected = 0;
  const open = () => {
    const c = connect(port, '127.0.0.1', () => {
      connected++;
      c.write('GET / HTTP/1.1\r\nHost: bench\r\n');
    });
    c.on('error', () => undefined);
    const drip = setInterval(() => c.writable && c.write('X'), 2000);
    c.on('close', () => clearInterval(drip));
    return c;
  };
  // In steps of 200, so the listen backlog (511) does not turn the start into SYN retries.
  while (socks.length < N) {
    for (let i = 0; i < 200 && socks.length < N; i++) socks.push(open());
    await sleep(100);
  }
  while (connected < N) await sleep(50);
  const atStart = await held(server);
  const answers: number[] = [];
  let refused = 0;
  for (const until = Date.now() + 12_000; Date.now() < until; await sleep(500)) {
    const ms = await healthz(port);
    if (ms === undefined) refused++;
    else answers.push(ms);
  }
  const slowest = answers.length ? `${Math.max(...answers)} ms` : 'never';
  console.log(`${name}: ${N} trickling, held ${atStart} once connected, ${await held(server)} 12 s later; /healthz slowest ${slowest}, ${refused} refused`);
  for (const c of socks) c.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

const defaults = loadConfig({}, { requireSecret: false }).http;
await run('LEADFWD_HTTP_* defaults', defaults);
await run('LEADFWD_HTTP_MAX_CONNECTIONS=1000', { ...defaults, maxConnections: 1000 });
await run("Node's defaults (before)", NODE_DEFAULT_LIMITS);
