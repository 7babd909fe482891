// Serves a PGlite database (Postgres in WebAssembly) over the Postgres wire protocol on
// 127.0.0.1; prints "ready <host:port>" once it listens and stops cleanly on SIGINT/SIGTERM.
// Usage: node tools/pglite-server.mjs <data dir> [port]
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [dataDir, port = '0'] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: pglite-server.mjs <data dir> [port]');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
const db = await PGlite.create(dataDir);
// Its queue runs one statement at a time and keeps an open transaction's statements together.
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: Number(port), maxConnections: 32 });
await server.start();
console.log(`ready ${server.getServerConn()}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
