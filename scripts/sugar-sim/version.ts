// API versions (sugar-platform.md §1 "API version", fact-check row 23): v10 .. v11_<max>, in the URL or Accept header.
import { SugarError } from './errors.js';

const URL_VERSION = /^v\d\d(_\d{1,2})?$/;
const HEADER_VERSION = /application\/vnd\.sugarcrm\.core\+json;\s*version=([\d.]+)/i;

const parts = (v: string) => v.split(/[._]/).map(Number);

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface Versioned {
  version: string;
  rest: string;
}

export function splitVersion(path: string, accept: string | undefined, maxVersion: string): Versioned {
  const max = maxVersion.replace('_', '.');
  const incorrect = (msg: string) => new SugarError(301, 'incorrect_version', msg);
  const segments = path.split('/').filter(Boolean);
  const first = segments[0] ?? '';
  const header = accept ? HEADER_VERSION.exec(accept)?.[1] : undefined;
  let version: string;
  let rest: string;
  if (/^v\d/.test(first)) {
    if (header) throw incorrect('The API version must not be given in both the URL and the Accept header.');
    if (!URL_VERSION.test(first)) throw incorrect(`No version provided. Please request a version between 10 and ${max}.`);
    version = first.slice(1).replace('_', '.');
    rest = `/${segments.slice(1).join('/')}`;
  } else if (header) {
    version = header;
    rest = `/${segments.join('/')}`;
  } else {
    throw incorrect(`No version provided. Please request a version between 10 and ${max}.`);
  }
  const v = parts(version);
  if (v.some(Number.isNaN) || compare(v, [10]) < 0 || compare(v, parts(max)) > 0) {
    throw incorrect(`Please change your requested API version to value between 10 and ${max}.`);
  }
  return { version, rest };
}
