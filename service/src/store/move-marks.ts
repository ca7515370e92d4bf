// What `npm run migrate-store` leaves in a SQLite store (scripts/migrate-store-changes.ts), as the service sees it:
// while a move records the service's writes, and once the store was moved to PostgreSQL. The service starts on a
// moved file only after `--cancel`, so two stores never take work side by side.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

export const MOVE_TABLE = 'leadfwd_move';
export const CHANGES_TABLE = 'leadfwd_move_changes';
export const MOVED_TABLE = 'leadfwd_moved';
export const TRIGGER_PREFIX = 'leadfwd_move_';

/** An SQL identifier as SQLite and PostgreSQL both read it. */
export const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;
const hasTable = (db: Database.Database, name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

export interface MoveUnderWay {
  /** Also kept in the target (PostgreSQL's leadfwd_move): a catch-up goes only into the database its move filled. */
  id: string;
  /** The database it fills, as the operator gave it without the password. */
  target: string;
  startedAt: string;
  /** Recorded keys up to here were brought over and forgotten; the target must have applied at least these. */
  forgottenUpTo: number;
  /** The file the move started on (device:inode; absent for a move started before it was kept): a copy is another. */
  file?: string;
}

export interface MoveMarks {
  /** A move records the service's writes. */
  underWay?: MoveUnderWay;
  /** The move completed: the service's data is in PostgreSQL now. */
  moved?: { target: string; at: string };
}

export function moveMarks(db: Database.Database): MoveMarks {
  const marks: MoveMarks = {};
  if (hasTable(db, MOVE_TABLE)) {
    const r = db.prepare(`SELECT * FROM ${MOVE_TABLE}`).get() as
      | { id: string; target: string; started_at: string; forgotten_up_to: number; file?: string | null }
      | undefined;
    if (r) marks.underWay = { id: r.id, target: r.target, startedAt: r.started_at, forgottenUpTo: r.forgotten_up_to, ...(r.file ? { file: r.file } : {}) };
  }
  if (hasTable(db, MOVED_TABLE)) {
    const r = db.prepare(`SELECT target, at FROM ${MOVED_TABLE}`).get() as { target: string; at: string } | undefined;
    if (r) marks.moved = { target: r.target, at: r.at };
  }
  return marks;
}

/** Removes a move's triggers and tables, and the moved mark: the file is as the service made it. */
export function clearMoveMarks(db: Database.Database): void {
  db.transaction(() => {
    const triggers = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'")
      .all(`${TRIGGER_PREFIX.replace(/_/g, '\\_')}%`) as Array<{ name: string }>;
    for (const { name } of triggers) db.exec(`DROP TRIGGER ${quoteName(name)}`);
    for (const t of [CHANGES_TABLE, MOVE_TABLE, MOVED_TABLE]) db.exec(`DROP TABLE IF EXISTS ${t}`);
  })();
}

/** Which file this is, whatever its path: a copy (cp, a restore) is another file, a rename the same one. */
export function fileIdentity(file: string): string {
  const s = statSync(file, { bigint: true });
  return `${s.dev}:${s.ino}`;
}

/** The marks of the store file at `file` (none when there is no file yet), read without keeping it open. */
export function moveMarksOf(file: string): MoveMarks {
  if (!existsSync(file)) return {};
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return moveMarks(db);
  } finally {
    db.close();
  }
}
