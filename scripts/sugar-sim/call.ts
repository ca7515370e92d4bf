import type { SimCore } from './core.js';
import type { SimResponse } from './response.js';
import type { Actor } from './users.js';

export type Headers = Record<string, string | undefined>;

export interface SimRequest {
  method: string;
  path: string; // after /rest, still carrying the version: /v11_1/Contacts
  query: Record<string, unknown>;
  headers: Headers; // lower-case names
  body: { text: string } | { value: unknown } | undefined; // raw JSON text is parsed (and depth-checked) by the pipeline
}

export interface Call {
  core: SimCore;
  method: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  args: Record<string, unknown>; // body overridden by query, as Sugar merges them
  headers: Headers;
  actor: Actor;
  token: string;
  handle(req: SimRequest): SimResponse; // the whole pipeline, for bulk items
}
