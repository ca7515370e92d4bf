// Express adapter for /rest: request log, faults, then the shared pipeline; Sugar-style JSON out.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Headers } from './call.js';
import type { SimCore } from './core.js';
import { handleRest } from './dispatch.js';
import { SugarError } from './errors.js';
import { encodeJson, parseBody } from './json.js';
import { handleLeadfwdPackage } from './leadfwd-module.js';
import { errorResponse, type SimResponse } from './response.js';
import { sleep } from './util.js';

function headersOf(req: Request): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function send(req: Request, res: Response, r: SimResponse): number {
  const text = encodeJson(r.body);
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  for (const c of r.cookies) res.append('Set-Cookie', c);
  if (req.method === 'GET' && r.status === 200) {
    const etag = `"${createHash('md5').update(text).digest('hex')}"`;
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return 304;
    }
  }
  res.status(r.status).type('application/json').send(text);
  return r.status;
}

export function restHandler(core: SimCore) {
  return async (req: Request, res: Response): Promise<void> => {
    const done = core.log.start(req.method, req.originalUrl, false);
    if (core.faults.latencyMs > 0) await sleep(core.faults.latencyMs);
    const fault = core.faults.next();
    if (fault.kind === 'drop') {
      done(0);
      req.socket.destroy();
      return;
    }
    let r: SimResponse;
    if (fault.kind === 'error') r = errorResponse(fault.error, core, fault.headers);
    else {
      try {
        const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
        const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
        const body =
          !raw || raw.length === 0
            ? undefined
            : isForm
              ? { value: parseBody(raw, req.headers['content-type'], core.parseQuery) }
              : { text: raw.toString('utf8') };
        const simReq = { method: req.method, path: req.path, query: req.query as Record<string, unknown>, headers: headersOf(req), body };
        r = (await handleLeadfwdPackage(core, simReq)) ?? handleRest(core, simReq);
      } catch (err) {
        r = errorResponse(err, core);
      }
    }
    done(send(req, res, r));
  };
}

// Body-parser failures (too large, bad encoding) still answer in Sugar's error shape.
export function restErrorHandler(core: SimCore) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    const e =
      status === 413
        ? new SugarError(413, 'request_too_large', 'The request is too large.')
        : status < 500
          ? new SugarError(422, 'invalid_parameter', 'A parameter in your request was invalid.')
          : err;
    const r = errorResponse(e, core);
    if (!res.headersSent) send(req, res, r);
  };
}
