// A real HTTP proxy in front of the simulator that can rewrite Sugar's answers to POST /bulk, to
// play a Sugar (or a gateway in front of it) answering with shapes or statuses the simulator never would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BulkCall {
  requests: Array<{ url: string; method?: string; data?: string }>;
}
export interface BulkItemResult {
  contents: unknown;
  status: number;
  [k: string]: unknown;
}
export type Rewrite = (
  call: BulkCall,
  status: number,
  results: BulkItemResult[],
) => { status: number; body: string; contentType?: string } | BulkItemResult[] | undefined;

/** Changes a bulk call before Sugar sees it, or answers it without Sugar seeing it at all. */
export type Intercept = (call: BulkCall) => BulkCall | { status: number; body: string };

export interface SugarProxy {
  url: string;
  rewrite: Rewrite | undefined;
  intercept: Intercept | undefined;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<SugarProxy> {
  const proxy: SugarProxy = { url: '', rewrite: undefined, intercept: undefined, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body = Buffer.concat(chunks);
      const isBulk = req.method === 'POST' && /\/bulk$/.test(req.url ?? '');
      if (isBulk && proxy.intercept) {
        const changed = proxy.intercept(JSON.parse(body.toString()) as BulkCall);
        if ('status' in changed) {
          res.writeHead(changed.status, { 'Content-Type': 'application/json' });
          return void res.end(changed.body);
        }
        body = Buffer.from(JSON.stringify(changed));
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
      const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
      const text = await upstream.text();
      let status = upstream.status;
      let out = text;
      let type = upstream.headers.get('content-type') ?? 'application/json';
      if (proxy.rewrite && isBulk && status === 200) {
        const changed = proxy.rewrite(JSON.parse(body.toString()) as BulkCall, status, JSON.parse(text) as BulkItemResult[]);
        if (Array.isArray(changed)) out = JSON.stringify(changed);
        else if (changed) ({ status, body: out } = changed), (type = changed.contentType ?? type);
      }
      res.writeHead(status, { 'Content-Type': type });
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return proxy;
}
