// Stand-ins for a connection pooler in front of PostgreSQL, as far as LeadFWD's startup options go: PgBouncer with
// `ignore_startup_parameters = options` passes the connection on without them; PgBouncer without it refuses them.
import { connect, createServer, type Socket } from 'node:net';

export interface Pooler {
  port: number;
  /** How many startup messages lost their options. */
  dropped(): number;
  close(): Promise<void>;
}

/** The startup message without its `options` parameter (protocol 3: length, version, name/value pairs, a final NUL). */
function withoutOptions(message: Buffer): { message: Buffer; dropped: boolean } {
  const fields = message
    .subarray(8, message.length - 1)
    .toString('utf8')
    .split('\0');
  const kept: string[] = [];
  let dropped = false;
  for (let i = 0; i + 1 < fields.length; i += 2)
    if (fields[i] === 'options') dropped = true;
    else kept.push(fields[i], fields[i + 1]);
  const body = Buffer.from(`${kept.join('\0')}\0\0`, 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  message.copy(head, 4, 4, 8);
  return { message: Buffer.concat([head, body]), dropped };
}

/** PgBouncer's refusal: an ErrorResponse (FATAL, 08P01), then the connection closes. */
function refuse(client: Socket) {
  const fields = ['SFATAL', 'VFATAL', 'C08P01', 'Munsupported startup parameter in options: leadfwd.owner'].map((f) => `${f}\0`).join('');
  const body = Buffer.from(`${fields}\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + body.length, 1);
  client.end(Buffer.concat([head, body]));
}

async function pooler(serverPort: number, mode: 'drop' | 'refuse'): Promise<Pooler> {
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    let first = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      first = Buffer.concat([first, chunk]);
      if (first.length < 4 || first.length < first.readInt32BE(0)) return;
      client.off('data', onData);
      const len = first.readInt32BE(0);
      const startup = withoutOptions(first.subarray(0, len));
      if (startup.dropped) dropped++;
      if (mode === 'refuse' && startup.dropped) return refuse(client);
      const upstream = connect(serverPort, '127.0.0.1');
      sockets.add(upstream);
      upstream.write(Buffer.concat([startup.message, first.subarray(len)]));
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    dropped: () => dropped,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Passes every connection on to PostgreSQL at `serverPort` without its startup options. */
export const optionsDroppingPooler = (serverPort: number) => pooler(serverPort, 'drop');
/** Refuses every connection that carries startup options, as PgBouncer does with options it cannot track. */
export const optionsRefusingPooler = (serverPort: number) => pooler(serverPort, 'refuse');
