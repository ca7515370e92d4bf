// The REST routes the simulator answers, most specific first (Sugar scores literal segments above variables).
import { runBulk } from './bulk.js';
import type { Call } from './call.js';
import { SugarError } from './errors.js';
import { parseListArgs } from './filter-args.js';
import { leadfwdConfigBody } from './leadfwd-module.js';
import { countRecords, listRecords } from './lists.js';
import { metadataBody } from './metadata.js';
import { createRecord, deleteRecord, formatRecord, retrieveRecord, setFavorite, updateRecord } from './records.js';
import { reportRecordCount, reportRecords } from './reports.js';
import { respond } from './response.js';
import { LINK_ROUTES } from './routes-links.js';
import { meBody } from './users.js';
import { MODULES } from './vardefs.js';

export interface Route {
  methods: string[];
  pattern: string[];
  auth: boolean;
  run(call: Call): unknown;
}

// Query arguments that steer the response rather than carry record data.
const CONTROL_ARGS = new Set(['fields', 'view', 'oauth_token', 'module', 'record', 'max_num', 'offset', 'order_by', 'deleted', 'platform', 'erased_fields']);

export const recordData = (c: Call): Record<string, unknown> => {
  const data: Record<string, unknown> = { ...c.body };
  for (const [k, v] of Object.entries(c.query)) if (!CONTROL_ARGS.has(k)) data[k] = v;
  for (const k of CONTROL_ARGS) delete data[k];
  return data;
};

export const fieldsArg = (c: Call): string[] | undefined => parseListArgs(c.query, { fields: c.body.fields }).fields;

const list = (c: Call) => listRecords(c.core, c.params.module, parseListArgs(c.query, c.body), c.actor);
const count = (c: Call) => countRecords(c.core, c.params.module, parseListArgs(c.query, c.body), c.actor);
const show = (c: Call, rec: Record<string, unknown>) => formatRecord(c.core, c.params.module, rec, c.actor, fieldsArg(c));

const r = (methods: string | string[], path: string, run: Route['run'], auth = true): Route => ({
  methods: Array.isArray(methods) ? methods : [methods],
  pattern: path.split('/').filter(Boolean),
  auth,
  run,
});

export const ROUTES: Route[] = [
  r(
    'POST',
    'oauth2/token',
    (c) => {
      const t = c.core.auth.token(c.args);
      return respond(200, t.body, t.cookies);
    },
    false,
  ),
  r('POST', 'oauth2/sudo/:user_name', (c) => {
    const t = c.core.auth.sudo(c.token, c.params.user_name, c.args);
    return respond(200, t.body, t.cookies);
  }),
  r('POST', 'oauth2/logout', (c) => {
    c.core.auth.logout(c.token, c.args.refresh_token);
    return { success: true };
  }),
  r('GET', 'me', (c) => {
    const user = c.core.store.get('Users', c.actor.id) ?? {};
    return meBody(c.actor, user);
  }),
  r('GET', 'ping', () => 'pong'),
  r('GET', 'metadata', (c) => metadataBody(c.actor, c.query)),
  r('POST', 'bulk', (c) => runBulk(c)),
  r('GET', 'leadfwd/config', (c) => leadfwdConfigBody(c.core.leadfwdSettings)),
  r(['GET', 'POST'], ':module/filter/count', count),
  r(['GET', 'POST'], ':module/filter', list),
  r('GET', ':module/count', count),
  r('GET', ':module/enum/:field', (c) => {
    const fd = MODULES.get(c.params.module)!.fields[c.params.field];
    if (!fd?.options) throw new SugarError(404, 'not_found', `Could not find enum field: ${c.params.field} in module: ${c.params.module}`);
    return Object.fromEntries(fd.options.map((o) => [o, o]));
  }),
  r('GET', ':module', list),
  r('POST', ':module', (c) => show(c, createRecord(c.core, c.params.module, recordData(c), c.actor))),
  ...LINK_ROUTES,
  r(['PUT', 'DELETE'], ':module/:id/favorite', (c) => show(c, setFavorite(c.core, c.params.module, c.params.id, c.actor, c.method === 'PUT'))),
  r('GET', 'Reports/:id/records', reportRecords),
  r('GET', 'Reports/:id/record_count', reportRecordCount),
  r('GET', ':module/:id', (c) => show(c, retrieveRecord(c.core, c.params.module, c.params.id, c.actor))),
  r('PUT', ':module/:id', (c) => show(c, updateRecord(c.core, c.params.module, c.params.id, recordData(c), c.actor, c.headers['x-timestamp']))),
  r('DELETE', ':module/:id', (c) => {
    deleteRecord(c.core, c.params.module, c.params.id, c.actor);
    return { id: c.params.id };
  }),
];
