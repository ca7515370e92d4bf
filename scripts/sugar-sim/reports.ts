// Running a saved report (modules/Reports/clients/base/api/ReportsApi.php, 8.0 and 12.0): GET Reports/:id/records
// answers the report's records as the Filter API would (paged by offset and max_num, all by default), and
// GET Reports/:id/record_count their number. A report the user may not access is "not found"; its records pass
// through the module's list rights, as FilterApi applies them.
import type { Call } from './call.js';
import { SugarError } from './errors.js';
import { parseListArgs } from './filter-args.js';
import { countRecords, listRecords } from './lists.js';
import { retrieveRecord } from './records.js';
import { MODULES } from './vardefs.js';

function reportOf(c: Call): { module: string; filter: unknown[] } {
  const rec = retrieveRecord(c.core, 'Reports', c.params.id, c.actor);
  let content: { module?: unknown; filter?: unknown } = {};
  try {
    content = JSON.parse(String(rec.content ?? '{}'));
  } catch {
    // an unreadable definition reads as no records, as a broken report does in Sugar
  }
  const module = String(content.module ?? rec.module ?? '');
  if (!MODULES.has(module)) throw new SugarError(404, 'not_found', `Could not find record: ${c.params.id} in module: Reports`);
  return { module, filter: Array.isArray(content.filter) ? content.filter : [] };
}

/** Sugar's default here is every record (max_num -1) unless a max_num is given. */
const argsOf = (c: Call, filter: unknown[]) => {
  const args = parseListArgs({ max_num: '-1', ...c.query }, undefined);
  return { ...args, filter };
};

export function reportRecords(c: Call) {
  const r = reportOf(c);
  return listRecords(c.core, r.module, argsOf(c, r.filter), c.actor);
}

export function reportRecordCount(c: Call) {
  const r = reportOf(c);
  return countRecords(c.core, r.module, argsOf(c, r.filter), c.actor);
}
