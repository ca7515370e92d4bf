// nodemailer's SMTP data stream looks at every byte of a message in JavaScript to stuff dots and mend bare CR and
// LF: for a 20 KB campaign message about a tenth of a send thread's CPU. Our messages are built with CRLF line ends
// and rarely start a line with a dot, so a chunk that needs no change is found with the native byte search
// (a few hundred look-ups instead of twenty thousand steps) and passed on as it is; any other chunk gets
// nodemailer's own treatment, so the bytes on the wire are the same either way.
import SMTPConnection from 'nodemailer/lib/smtp-connection';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * True when the data stream would pass `chunk` on unchanged: every line ends in CRLF, no line starts with a dot,
 * and it does not end in the middle of a CRLF. `lastByte` is the stream's previous byte (false at the start).
 */
export function needsNoStuffing(chunk: Uint8Array, lastByte: number | false): boolean {
  const n = chunk.length;
  if (n === 0) return true;
  if (lastByte === CR || chunk[n - 1] === CR) return false; // a line end split across chunks: left to nodemailer
  if (chunk[0] === DOT && (lastByte === false || lastByte === LF)) return false;
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, n);
  let lfs = 0;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (i === 0 || bytes[i - 1] !== CR) return false;
    if (i + 1 < n && bytes[i + 1] === DOT) return false;
    lfs++;
  }
  // Every LF has its CR; as many CRs as LFs means no CR stands alone.
  let crs = 0;
  for (let i = bytes.indexOf(CR); i !== -1; i = bytes.indexOf(CR, i + 1)) if (++crs > lfs) return false;
  return crs === lfs;
}

interface DataStreamLike {
  _transform(chunk: unknown, encoding: BufferEncoding, done: (err?: Error | null) => void): void;
  push(chunk: Buffer): boolean;
  inByteCount: number;
  outByteCount: number;
  lastByte: number | false;
}

type CreateSendStream = (callback: (...args: unknown[]) => void) => DataStreamLike;

/** SMTPConnection whose data stream passes clean chunks straight on; nodemailer's own when its internals differ. */
export class CleanDataConnection extends SMTPConnection {
  _createSendStream(callback: (...args: unknown[]) => void): DataStreamLike {
    const stream = (SMTPConnection.prototype as unknown as { _createSendStream: CreateSendStream })._createSendStream.call(this, callback);
    if (typeof stream?._transform !== 'function' || typeof stream.inByteCount !== 'number') return stream;
    const own = stream._transform;
    stream._transform = function (this: DataStreamLike, chunk, encoding, done) {
      if (!Buffer.isBuffer(chunk) || !needsNoStuffing(chunk, this.lastByte)) return own.call(this, chunk, encoding, done);
      this.inByteCount += chunk.length;
      this.outByteCount += chunk.length;
      this.lastByte = chunk[chunk.length - 1];
      this.push(chunk);
      done();
    };
    return stream;
  }
}

/** Whether this nodemailer still builds its data stream where CleanDataConnection expects it. */
export const cleanDataApplies = typeof (SMTPConnection.prototype as unknown as { _createSendStream?: unknown })._createSendStream === 'function';
