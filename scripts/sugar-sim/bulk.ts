// POST /bulk (sugar-platform.md §8, fact-check row 19): every url checked first, then items run in order.
import type { Call, Headers, SimRequest } from './call.js';
import { SugarError } from './errors.js';
import { statusText } from './response.js';
import { isPlainObject } from './util.js';

const urlMissing = () => new SugarError(422, 'missing_parameter', 'Invalid request - URL is missing');

export function runBulk(c: Call): unknown[] {
  const requests = c.body.requests;
  if (!Array.isArray(requests)) throw urlMissing();
  for (const item of requests) {
    if (!isPlainObject(item) || typeof item.url !== 'string' || item.url === '') throw urlMissing();
  }
  // Sub-requests inherit the outer call's headers (its OAuth-Token), then apply their own.
  const inherited: Headers = { ...c.headers };
  // Each item's url carries its version, so an inherited Accept version would clash with it.
  for (const k of ['content-length', 'content-type', 'transfer-encoding', 'if-none-match', 'accept']) delete inherited[k];

  return (requests as Array<Record<string, unknown>>).map((item) => {
    const url = item.url as string;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = typeof item.method === 'string' && item.method ? item.method.toUpperCase() : 'GET';
    const headers: Headers = { ...inherited };
    if (isPlainObject(item.headers)) for (const [k, v] of Object.entries(item.headers)) headers[k.toLowerCase()] = String(v);
    const data = item.data;
    const body: SimRequest['body'] =
      data === undefined || data === null || data === '' ? undefined : typeof data === 'string' ? { text: data } : { value: data };
    const done = c.core.log.start(method, `/rest${url.startsWith('/') ? '' : '/'}${url}`, true);
    const res = c.handle({ method, path, query: q < 0 ? {} : c.core.parseQuery(url.slice(q + 1)), headers, body });
    done(res.status);
    return { contents: res.body, headers: { 'Content-Type': 'application/json', ...res.headers }, status: res.status, status_text: statusText(res.status) };
  });
}
