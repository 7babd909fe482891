import type { Server } from 'node:http';
import type { Socket } from 'node:net';

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * Bytes the HTTP parser cannot read (garbage after a valid request in the same packet, say): Node's
 * default answers `400 Bad Request` and destroys the socket at once, even while the request before
 * them is still being answered, so a publish that was stored reached its client as a 400. Here a
 * response in flight is finished first; then the connection is closed.
 */
export function finishBeforeRefusing(server: Server): void {
  server.on('clientError', (_err: Error, socket: Socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: { writableFinished: boolean; once(e: 'finish' | 'close', f: () => void): void } })._httpMessage;
    if (inFlight && !inFlight.writableFinished) {
      const close = () => socket.end();
      inFlight.once('finish', close);
      inFlight.once('close', close);
      return;
    }
    if (socket.writable) socket.end(BAD_REQUEST);
    else socket.destroy();
  });
}
