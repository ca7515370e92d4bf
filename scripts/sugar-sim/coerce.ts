// Turns API input into column values for one module, ignoring unknown, computed and read-only fields like Sugar.
import { SugarError } from './errors.js';
import type { Row } from './rows.js';
import { badValue, isPlainObject, parseBoolInput, parseDateInput, parseDateTimeInput } from './util.js';
import type { FieldDef, ModuleDef } from './vardefs.js';

export function coerceValue(name: string, fd: FieldDef, v: unknown): unknown {
  if (v === null) return fd.type === 'bool' ? false : null;
  switch (fd.type) {
    case 'bool':
      return parseBoolInput(name, v);
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v === '' ? null : NaN;
      if (n !== null && !Number.isInteger(n)) throw badValue(name, v);
      return n;
    }
    case 'decimal': {
      if (v === '') return null;
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw badValue(name, v);
      return n;
    }
    case 'date':
      return v === '' ? null : parseDateInput(name, v);
    case 'datetime':
      return v === '' ? null : parseDateTimeInput(name, v);
    default: {
      if (typeof v === 'object') throw badValue(name, v);
      const s = String(v);
      if (fd.type === 'id' && s === '') return null;
      if (fd.len !== undefined && [...s].length > fd.len) {
        throw new SugarError(422, 'invalid_parameter', `Value for field ${name} is longer than ${fd.len} characters`);
      }
      if (fd.strictOptions && fd.options && !fd.options.includes(s)) {
        throw new SugarError(422, 'invalid_parameter', `Invalid value for field ${name}: ${s}. Allowed: ${fd.options.join(', ')}`);
      }
      return s;
    }
  }
}

export function coerceWrite(m: ModuleDef, data: Record<string, unknown>, skip: ReadonlySet<string> = new Set()): Row {
  const out: Row = {};
  for (const [name, v] of Object.entries(data)) {
    const fd = m.fields[name];
    if (!fd || fd.computed || fd.readOnly || skip.has(name) || v === undefined) continue;
    if (name in m.links && isPlainObject(v)) continue;
    out[name] = coerceValue(name, fd, v);
  }
  return out;
}

export function createDefaults(m: ModuleDef): Row {
  const out: Row = {};
  for (const [name, fd] of Object.entries(m.fields)) {
    if (!fd.computed && fd.defaultValue !== undefined) out[name] = fd.defaultValue;
  }
  return out;
}
