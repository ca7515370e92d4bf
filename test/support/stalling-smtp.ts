// A real smtp-server that answers every transaction at once until `stallAt` messages ended their DATA; then it
// stops answering: the transaction ending DATA next is held after its final dot (the reply never goes, so the client
// cannot know whether it was taken: not counted as received) and every later one is held at RCPT TO, mid-transaction,
// before its DATA. It records every recipient whose final dot it saw, answered or not. `release()` makes it answer
// again (a restarted service's new connections).
import type { SMTPServerSession } from 'smtp-server';
import { listenSmtp } from './smtp-server.js';

export interface StallingSmtp {
  port: number;
  /** Messages taken (answered 250), per lower-cased recipient. */
  received: Map<string, number>;
  /** Recipients whose final dot arrived here (taken or held after it). */
  dotSeen: Set<string>;
  /** Transactions held after their final dot, and at RCPT TO (before DATA). */
  heldAfterDot(): number;
  heldBeforeDot(): number;
  stalling(): boolean;
  release(): void;
  close(): Promise<void>;
}

export async function startStallingSmtp(stallAt: number): Promise<StallingSmtp> {
  const received = new Map<string, number>();
  const dotSeen = new Set<string>();
  const afterDot = new Set<string>();
  const beforeDot = new Set<string>();
  let ended = 0;
  let stalling = false;
  let released = false;
  const rcpts = (s: SMTPServerSession) => s.envelope.rcptTo.map((r) => r.address.toLowerCase());

  const server = await listenSmtp({
    onRcptTo(_address, session, callback) {
      if (stalling) return void beforeDot.add(session.id); // held: no answer while the connection lives
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        for (const r of rcpts(session)) dotSeen.add(r);
        if (stalling || (++ended === stallAt && !released)) {
          stalling = true;
          afterDot.add(session.id);
          return;
        }
        for (const r of rcpts(session)) received.set(r, (received.get(r) ?? 0) + 1);
        callback();
      });
    },
    onClose(session) {
      afterDot.delete(session.id);
      beforeDot.delete(session.id);
    },
  });
  return {
    port: server.port,
    received,
    dotSeen,
    heldAfterDot: () => afterDot.size,
    heldBeforeDot: () => beforeDot.size,
    stalling: () => stalling,
    release() {
      stalling = false;
      released = true;
    },
    close: server.close,
  };
}
