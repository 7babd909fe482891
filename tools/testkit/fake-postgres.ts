import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** The fields of a Postgres ErrorResponse: severity, SQLSTATE, message. */
export interface StartupFailure {
  severity: 'FATAL' | 'PANIC' | 'ERROR';
  code: string;
  message: string;
}

export interface FakePostgres {
  url: string;
  /** How many connections it refused so far. */
  connections: number;
  close(): Promise<void>;
}

function errorResponse(f: StartupFailure): Buffer {
  const field = (type: string, value: string) => Buffer.concat([Buffer.from(type), Buffer.from(value), Buffer.from([0])]);
  const body = Buffer.concat([field('S', f.severity), field('V', f.severity), field('C', f.code), field('M', f.message), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/**
 * A server that speaks just enough of the Postgres wire protocol to fail every connection at its
 * start, as a real server does when it cannot start a backend (a full disk: FATAL XX000 "could not
 * write init file"): it refuses SSL, reads the startup message, answers one ErrorResponse, closes.
 */
export async function startFakePostgres(failure: StartupFailure): Promise<FakePostgres> {
  const sockets = new Set<Socket>();
  const fake = { connections: 0 } as FakePostgres;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8) {
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) return;
        const request = buffered.readInt32BE(4);
        buffered = buffered.subarray(length);
        if (request === 80877103) {
          socket.write('N'); // SSLRequest: no SSL here
          continue;
        }
        fake.connections++;
        socket.end(errorResponse(failure));
        return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `postgres://hookline@127.0.0.1:${(server.address() as AddressInfo).port}/hookline`;
  fake.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}
