// Verifies a Sugar user's own token (lent by the dashlet) by asking Sugar who it belongs to.
// The token is the user's, so it is never refreshed and the call is never retried with another one.
import { errorFromResponse, SugarApiError } from './errors.js';
import { SugarExchange } from './http-exchange.js';

export interface CurrentUser {
  id: string;
  user_name: string;
  type: string;
  acl: Record<string, Record<string, unknown>>;
}

export async function fetchCurrentUser(baseUrl: string, apiVersion: string, userToken: string, timeoutMs = 10_000): Promise<CurrentUser> {
  if (!userToken) throw new SugarApiError({ kind: 'auth', method: 'GET', path: '/me', message: 'no user token given' });
  const transport = new SugarExchange({ baseUrl, apiVersion, timeoutMs, maxRetries: 0, retryBaseMs: 0, retryMaxMs: 0, keepAlive: false });
  try {
    const res = await transport.exchange({ method: 'GET', path: '/me', token: userToken, idempotent: true });
    if (res.status !== 200) throw errorFromResponse('GET', '/me', res.status, res.body);
    const user = (res.body as { current_user?: Record<string, unknown> } | undefined)?.current_user;
    if (!user || typeof user.id !== 'string' || typeof user.user_name !== 'string') {
      throw new SugarApiError({ kind: 'unexpected', method: 'GET', path: '/me', status: res.status, message: 'response without current_user' });
    }
    const acl = typeof user.acl === 'object' && user.acl !== null ? (user.acl as CurrentUser['acl']) : {};
    return { id: user.id, user_name: user.user_name, type: typeof user.type === 'string' ? user.type : 'user', acl };
  } finally {
    transport.destroy();
  }
}
