// A throwaway PostgreSQL server for tests and benchmarks: Debian's binaries (initdb, postgres) in a temporary folder, on a free
// port of loopback, with fsync off (the tests stop the server, never the machine, so the OS still holds every committed
// page; commits stay synchronous, so a stop loses nothing committed). PostgreSQL refuses to run
// as root, so under root (CI) the cluster belongs to the `postgres` system user and its commands run as that user.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  /** postgres://leadfwd@127.0.0.1:<port>/leadfwd */
  url: string;
  port: number;
  /** The folder of its Unix socket (`?host=` this in a URL connects through it). */
  socketDir: string;
  /** Runs SQL through psql as the test user (in `database`, default `postgres`); answers psql's unaligned output. */
  psql(sql: string, database?: string): string;
  /** Stops the server (fast shutdown), keeping its data, as a crash or failover would (`immediate`: no checkpoint). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** The folder of Debian's PostgreSQL binaries, newest major first; undefined when none is installed. */
export function debianPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(b) - Number(a));
  return majors.map((m) => join(root, m, 'bin')).find((b) => existsSync(join(b, 'initdb')));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

export interface StartPostgresOptions {
  bin?: string;
  /** Extra server settings (`-c name=value`), e.g. `shared_preload_libraries: 'pg_stat_statements'` for a benchmark. */
  settings?: Record<string, string>;
  /**
   * The `leadfwd` database's collation: `C` (default, as --locale=C gives), another libc locale (`C.utf8`), or an ICU
   * one as `icu:en-US`, as a database created with a language's collation has it.
   */
  databaseLocale?: string;
}

/** CREATE DATABASE leadfwd with the collation `locale` names (see StartPostgresOptions.databaseLocale). */
function createDatabaseSql(locale: string | undefined): string {
  if (!locale || locale === 'C') return 'CREATE DATABASE leadfwd';
  if (!/^(icu:)?[A-Za-z0-9_.@-]+$/.test(locale)) throw new Error(`not a locale name: ${locale}`);
  return locale.startsWith('icu:')
    ? `CREATE DATABASE leadfwd LOCALE_PROVIDER icu ICU_LOCALE '${locale.slice(4)}' LOCALE 'C' TEMPLATE template0`
    : `CREATE DATABASE leadfwd LOCALE '${locale}' TEMPLATE template0`;
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PgServer> {
  const bin = opts.bin ?? debianPgBin();
  if (!bin) throw new Error('PostgreSQL binaries not found (Debian package postgresql-15: .ci/run installs it)');
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'leadfwd-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const pg = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    chownSync(dir, pg, Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  }
  const run = (cmd: string, args: string[]) =>
    asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', join(bin, cmd), ...args] } : { cmd: join(bin, cmd), args };
  const init = run('initdb', ['-D', data, '-U', 'leadfwd', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  execFileSync(init.cmd, init.args, { stdio: 'ignore' });
  const port = await freePort();
  let running = false;

  const psql = (sql: string, database = 'postgres') => {
    const p = run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'leadfwd', '-d', database, '-AtX', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    return execFileSync(p.cmd, p.args, { encoding: 'utf8' }).trim();
  };
  // pg_ctl waits for the server to accept connections (start) or to be gone (stop), whoever runs it.
  const start = async () => {
    if (running) return;
    const extra = Object.entries(opts.settings ?? {}).map(([k, v]) => ` -c ${k}=${v}`);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200${extra.join('')}`;
    const p = run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', options, 'start']);
    execFileSync(p.cmd, p.args, { stdio: 'ignore' });
    running = true;
  };
  // fast: clean shutdown; immediate: like a crash, recovery runs at the next start.
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    running = false;
    const p = run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    execFileSync(p.cmd, p.args, { stdio: 'ignore' });
  };

  await start();
  psql(createDatabaseSql(opts.databaseLocale));
  return {
    url: `postgres://leadfwd@127.0.0.1:${port}/leadfwd`,
    port,
    socketDir: dir,
    psql,
    stop,
    start,
    async destroy() {
      await stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
