// Found by an attacker review: the relay forwarded whatever the request's OAUTH_TOKEN header said, not the token Sugar
// authenticated.
// In a real Sugar, POST rest/v11_1/bulk runs each item through BulkRestService (include/api/BulkRestService.php:
// authenticateUser() just copies the parent's user, the item's headers are never checked) and BulkRestRequest
// (include/api/BulkRestRequest.php: `$svars['HTTP_'.strtoupper(str_replace('-','_',$hname))] = $hval;` for every
// item header, any JSON string). RestRequest::getHeader('OAUTH_TOKEN') then answers the item's value. So a logged-in
// user (Sally) sending
//   POST /rest/v11_1/bulk {"requests":[{"url":"/v11_1/leadfwd/api/campaigns","method":"POST",
//       "headers":{"OAuth-Token":"<anything>"},"data":{"lf_body":"..."}}]}
// reached LeadfwdRelayApi as Sally with a token of her choosing; line breaks in it started a second request to the
// service. The relay now forwards the session's token (Sugar's access token is the PHP session). The harness models the
// item: the session is Sally's token, the OAUTH_TOKEN header the item's value.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSugarRest } from '../../scripts/sugar-harness/php-bridge.js';
import { sugarToken } from '../support/relay.js';
import { type Stack, startStack } from '../support/stack.js';

const SALLY = { id: 'seed_sally_id', user_name: 'sally', is_admin: false };
const ADMIN = { id: '1', user_name: 'admin', is_admin: true };
const secret = randomBytes(32).toString('base64url');

let stack: Stack;
let sallyToken = '';
beforeAll(async () => {
  stack = await startStack({ sim: { seed: 'demo' } });
  sallyToken = await sugarToken(stack.sim.url, 'sally');
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

/** A "service" that records the raw bytes Sugar's cURL sends, answering every request with {}. */
function rawService(): Promise<{ url: string; bytes: () => string; close: () => void }> {
  let seen = '';
  const server = net.createServer((c) => {
    c.on('data', (d) => {
      seen += d.toString('latin1');
      c.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, bytes: () => seen, close: () => server.close() }),
    ),
  );
}

/** The relay call Sally makes inside /bulk, with her chosen OAuth-Token item header. */
const bulkRelay = (serviceUrl: string, headerToken: string, lfBody: string) =>
  runSugarRest({
    method: 'POST',
    path: 'leadfwd/api/campaigns',
    body: JSON.stringify({ lf_body: lfBody }),
    token: sallyToken,
    headerToken,
    user: SALLY,
    settings: { leadfwd_service_url: serviceUrl, leadfwd_relay_secret: secret },
  });

describe('the relay and the token it forwards', () => {
  it('never puts an OAuth-Token header of the request on the wire: a value with line breaks starts no second request', async () => {
    const svc = await rawService();
    const body = '{"code":"ZZZZ-ZZZZ"}';
    // Ends the signed request after its first header, then starts a second request of Sally's choosing on the same
    // connection; cURL's own headers (signature, Content-Type, Content-Length) and lf_body complete it.
    const token = `${sallyToken}\r\n\r\nPOST /relay/pair HTTP/1.1\r\nHost: smuggled\r\nX-Smuggled: yes`;
    const r = await bulkRelay(svc.url, token, body);
    await new Promise((res) => setTimeout(res, 200));
    svc.close();
    const wire = svc.bytes();
    expect(r.body.status).toBe(200);
    expect(wire).toContain(`OAuth-Token: ${sallyToken}\r\n`);
    expect(wire).not.toContain('X-Smuggled');
    expect(wire.match(/ HTTP\/1\.1\r\n/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it("a non-admin cannot burn the administrator's live pairing code with requests smuggled into the real service", async () => {
    const code = (await stack.api('POST', '/relay/pairing-code')).body.code as string;
    const token = `${sallyToken}\r\n\r\nPOST /relay/pair HTTP/1.1\r\nHost: smuggled`;
    for (let i = 0; i < 5; i++) {
      await bulkRelay(stack.service.url, token, '{"code":"ZZZZ-ZZZZ"}');
      await new Promise((res) => setTimeout(res, 150));
    }
    const pair = await runSugarRest({
      method: 'POST',
      path: 'leadfwd/pair',
      body: JSON.stringify({ service_url: stack.service.url, code }),
      user: ADMIN,
      settings: { leadfwd_service_url: stack.service.url },
    });
    expect(pair.body.status).toBe(200);
  });

  it('signs only the token Sugar authenticated: an arbitrary item header is not signed and forwarded', async () => {
    const svc = await rawService();
    const r = await bulkRelay(svc.url, 'not-a-token-sugar-ever-checked', '{}');
    svc.close();
    expect(svc.bytes()).not.toContain('not-a-token-sugar-ever-checked');
    expect(svc.bytes()).toContain(`OAuth-Token: ${sallyToken}\r\n`);
    expect(r.body.status).toBe(200);
    // No session (nothing Sugar authenticated): nothing is forwarded.
    const none = await runSugarRest({
      method: 'POST',
      path: 'leadfwd/api/campaigns',
      body: JSON.stringify({ lf_body: '{}' }),
      headerToken: sallyToken,
      user: SALLY,
      settings: { leadfwd_service_url: svc.url, leadfwd_relay_secret: secret },
    });
    expect(none.body.status).toBe(422);
  });
});
