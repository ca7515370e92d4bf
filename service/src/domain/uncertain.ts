// Rules for messages whose hand-off ended uncertain, shared by the stores, the settings and the operator's decisions.

/**
 * How long after its process was last seen (its lease's end) an interrupted row may not be sent again: a process cut
 * off from the database is taken for dead when its lease runs out, yet may still be waiting for the relay's answer to
 * the final dot (RFC 5321 §4.5.3.2.6: up to 10 minutes), or hold it, and record it once it is back. A process that
 * stopped cleanly gave its lease back: its rows may be sent again at once.
 */
export const ANSWER_GRACE_MS = 10 * 60_000;
