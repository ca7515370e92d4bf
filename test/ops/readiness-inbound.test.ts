// A tracking process whose bounce port is taken: /readyz shows it (the operator's monitoring sees bounces, complaints
// and mailto unsubscribes are not being received) while staying ready, as its pixel and redirects work without it.
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { startStack } from '../support/stack.js';

it('shows a taken bounce port on /readyz without taking the process out of rotation', async () => {
  const squatter = createServer();
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
  const port = (squatter.address() as { port: number }).port;
  const stack = await startStack({ env: { LEADFWD_BOUNCE_SMTP_PORT: String(port), LEADFWD_HOST: '127.0.0.1' } });
  try {
    const res = await fetch(`${stack.service.url}/readyz`);
    const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; reason?: string }> };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.ready).toBe(true);
    expect(body.checks.inbound).toEqual({
      ok: false,
      reason: `port ${port} is not listening (in use, or refused): bounces, complaints and mailto unsubscribes wait until it is`,
    });
    expect(body.checks.database).toEqual({ ok: true });
  } finally {
    await stack.stop();
    await new Promise<void>((r) => squatter.close(() => r()));
  }
}, 60_000);
