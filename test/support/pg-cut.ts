// A TCP proxy in front of PostgreSQL that loses one answer: the statement (or the COMMIT of the transaction) whose
// text matches reaches the server and runs to its end (committed), then the client's connection is cut before any
// byte of the answer reaches it. The driver reports "Connection terminated unexpectedly": a commit whose outcome the
// client cannot know. Statements are matched on their text, so stores behind it use `prepared: false`.
import { connect, createServer, type Socket } from 'node:net';

export interface CutProxy {
  port: number;
  url: string;
  /** The next statement matching `match` (or, with atCommit, the COMMIT of the transaction that ran it) is answered to no one. */
  cutAfter(match: RegExp, o?: { atCommit?: boolean }): Promise<void>;
  cuts(): number;
  close(): Promise<void>;
}

interface Armed {
  match: RegExp;
  atCommit: boolean;
  done: () => void;
}

/** Splits a stream into protocol messages (type byte + int32 length); the startup message has no type byte. */
function splitter(untypedFirst: boolean, onMessage: (m: Buffer) => void) {
  let buf = Buffer.alloc(0);
  let first = untypedFirst;
  return (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (first) {
        if (buf.length < 4) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        onMessage(buf.subarray(0, len));
        buf = buf.subarray(len);
        first = false;
        continue;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1) + 1;
      if (buf.length < len) return;
      onMessage(buf.subarray(0, len));
      buf = buf.subarray(len);
    }
  };
}

function textOf(m: Buffer): string | undefined {
  const t = String.fromCharCode(m[0]);
  if (t === 'Q') return m.subarray(5, m.length - 1).toString('utf8');
  if (t === 'P') {
    const body = m.subarray(5);
    const nameEnd = body.indexOf(0);
    const qEnd = body.indexOf(0, nameEnd + 1);
    return body.subarray(nameEnd + 1, qEnd).toString('utf8');
  }
  return undefined;
}

export async function startCutProxy(serverPort: number, database = 'leadfwd'): Promise<CutProxy> {
  let armed: Armed | undefined;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(serverPort, '127.0.0.1');
    sockets.add(upstream);
    let mine: Armed | undefined; // this connection took the armed cut
    let inTx = false; // the matched statement ran: cut at this transaction's COMMIT
    let doomAtSync = false;
    let muted: Armed | undefined;
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on(
      'data',
      splitter(true, (m) => {
        const text = textOf(m);
        const type = String.fromCharCode(m[0]);
        if (!mine && armed && text !== undefined && armed.match.test(text)) {
          mine = armed;
          armed = undefined;
          if (mine.atCommit) inTx = true;
          else if (type === 'Q') muted = mine;
          else doomAtSync = true;
        } else if (mine && inTx && type === 'Q' && text !== undefined && /^\s*COMMIT/i.test(text)) {
          muted = mine;
        } else if (mine && inTx && type === 'Q' && text !== undefined && /^\s*ROLLBACK/i.test(text)) {
          // The transaction failed on its own: the cut waits for the next match.
          armed = mine;
          mine = undefined;
          inTx = false;
        } else if (doomAtSync && type === 'S') {
          muted = mine;
          doomAtSync = false;
        }
        upstream.write(m);
      }),
    );
    upstream.on(
      'data',
      splitter(false, (m) => {
        if (!muted) {
          client.write(m);
          return;
        }
        // The server finished (committed) and is ready for the next query: the client never hears of it.
        if (m[0] === 'Z'.charCodeAt(0)) {
          const a = muted;
          muted = undefined;
          cuts++;
          end();
          a.done();
        }
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `postgres://leadfwd@127.0.0.1:${port}/${database}`,
    cutAfter(match, o = {}) {
      return new Promise<void>((done) => {
        armed = { match, atCommit: o.atCommit ?? false, done };
      });
    },
    cuts: () => cuts,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}
