// Audiences that follow Sugar: a saved filter (the Filters module, applied with filter_id) or a saved report (its
// records, ReportsApi). At creation they are checked with the caller's own token (they exist, the caller may read
// them and list their module); at extraction they are read again, as the campaign's creator (a sudo token), so a
// filter that changed in between sends to whom it selects now, and a creator who lost the right sends nothing.
import type { SugarAs } from '../access/actor.js';
import { AppError } from '../domain/errors.js';
import type { SugarAudience, TargetModule } from '../domain/types.js';

type Row = Record<string, unknown>;

/** Modules an audience may select: the people and accounts a campaign mails. */
export const AUDIENCE_MODULES: ReadonlySet<string> = new Set(['Contacts', 'Leads', 'Prospects', 'Accounts']);

/** How Sugar is read for an audience (the service client, a user's or a sudo client). */
export interface AudienceReader {
  get<T>(path: string, query?: Record<string, unknown>): Promise<T>;
  filterPages(module: string, opts?: { filter?: unknown[]; filterId?: string; fields?: string[]; pageSize?: number }): AsyncGenerator<Row[]>;
  reportPages?(reportId: string, opts?: { fields?: string[]; pageSize?: number }): AsyncGenerator<Row[]>;
}

const sugarStatus = (e: unknown) => (e as { status?: number }).status;
/** Sugar would not let the service act as the user (POST /oauth2/sudo): inactive or deleted. */
export const isSudoRefusal = (e: unknown) => String((e as { path?: string }).path ?? '').startsWith('/oauth2/sudo');
const label = (a: { kind: SugarAudience['kind']; id: string; name?: string }) =>
  `${a.kind === 'saved_filter' ? 'saved filter' : 'report'} ${a.name ? `"${a.name}" (${a.id})` : a.id}`;

/**
 * The audiences named at creation, as the caller: each must exist, be readable by them and select people or
 * accounts the caller may list. Returns them with the name and module Sugar gave (what the audit shows).
 */
export async function resolveAudiences(sugar: Pick<SugarAs, 'get'>, savedFilterIds: string[], reportIds: string[]): Promise<SugarAudience[]> {
  const out: SugarAudience[] = [];
  const refuse = (kind: SugarAudience['kind'], id: string, e: unknown): never => {
    const status = sugarStatus(e);
    // Sugar refusing a sudo (the user inactive or deleted) says nothing of the filter: the caller tells it.
    if ((status === 404 || status === 403) && !isSudoRefusal(e))
      throw new AppError('unknown_audience', `Sugar has no ${label({ kind, id })} you may read (it was deleted, or it is not shared with you)`, { kind, id });
    throw e;
  };
  for (const id of savedFilterIds) {
    const f = await sugar.get<{ name?: string; module_name?: string }>(`/Filters/${encodeURIComponent(id)}`).catch((e) => refuse('saved_filter', id, e));
    const module = String(f.module_name ?? '');
    if (!AUDIENCE_MODULES.has(module))
      throw new AppError(
        'unknown_audience',
        `The ${label({ kind: 'saved_filter', id, name: f.name })} selects ${module || 'no module'}, not people or accounts`,
        { kind: 'saved_filter', id },
      );
    // A count through the filter proves the caller may list that module with it now (Sugar answers 403 otherwise).
    await sugar.get(`/${module}/filter/count`, { filter_id: id }).catch((e) => {
      if (sugarStatus(e) === 403)
        throw new AppError(
          'sugar_rights',
          `Your Sugar role does not let you list ${module}, which ${label({ kind: 'saved_filter', id, name: f.name })} selects`,
          { module },
        );
      refuse('saved_filter', id, e);
    });
    out.push({ kind: 'saved_filter', id, module: module as TargetModule, name: String(f.name ?? id) });
  }
  for (const id of reportIds) {
    const r = await sugar.get<{ name?: string; module?: string }>(`/Reports/${encodeURIComponent(id)}`).catch((e) => refuse('report', id, e));
    let module = String(r.module ?? '');
    // The report's base module is its `module` field; where that is not given, its records say it (`_module`).
    if (!module) {
      const one = await sugar
        .get<{ records?: Array<{ _module?: string }> }>(`/Reports/${encodeURIComponent(id)}/records`, { max_num: 1, fields: 'id' })
        .catch(() => ({ records: [] as Array<{ _module?: string }> }));
      module = String(one.records?.[0]?._module ?? '');
    }
    if (!AUDIENCE_MODULES.has(module))
      throw new AppError('unknown_audience', `The ${label({ kind: 'report', id, name: r.name })} lists ${module || 'no module'}, not people or accounts`, {
        kind: 'report',
        id,
      });
    await sugar.get(`/Reports/${encodeURIComponent(id)}/record_count`).catch((e) => {
      if (sugarStatus(e) === 403)
        throw new AppError('sugar_rights', `Your Sugar role does not let you list ${module}, which ${label({ kind: 'report', id, name: r.name })} lists`, {
          module,
        });
      refuse('report', id, e);
    });
    out.push({ kind: 'report', id, module: module as TargetModule, name: String(r.name ?? id) });
  }
  return out;
}

/** Why an audience cannot be read at extraction: never retried blindly, the campaign fails with it and nothing is sent. */
export class AudienceError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = 'AudienceError';
    this.retryable = retryable;
  }
}

/** The pages of one audience's records, read with `reader` (the creator's rights). */
export async function* audiencePages(reader: AudienceReader, a: SugarAudience, fields: string[], readAs: string, pageSize = 1000): AsyncGenerator<Row[]> {
  try {
    if (a.kind === 'saved_filter') yield* reader.filterPages(a.module, { filterId: a.id, fields, pageSize });
    else {
      if (!reader.reportPages) throw new Error('this Sugar client cannot run reports');
      yield* reader.reportPages(a.id, { fields, pageSize });
    }
  } catch (e) {
    const status = sugarStatus(e);
    const retryable = (e as { retryable?: boolean }).retryable === true;
    if (retryable) throw e;
    const why = isSudoRefusal(e)
      ? `Sugar would not let the service act as ${readAs} (${(e as Error).message}); the user may be inactive or deleted`
      : status === 404
        ? `Sugar has no ${label(a)} that ${readAs} may read any more (deleted, or no longer shared)`
        : status === 403
          ? `${readAs} may no longer list ${a.module} in Sugar, which ${label(a)} selects`
          : `${label(a)} could not be read as ${readAs}: ${(e as Error).message}`;
    throw new AudienceError(why, false);
  }
}
