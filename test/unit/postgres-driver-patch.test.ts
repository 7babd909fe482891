import { readFileSync } from 'node:fs';
import path from 'node:path';

// postgres.js 3.4.9 throws an uncatchable TypeError when a write scheduled with setImmediate fires
// after a Postgres crash closed its socket (porsager/postgres#1154, #1208): the whole API or worker
// process dies. patches/postgres+3.4.9.patch (applied by `npm install`'s postinstall) guards it;
// npm run test:chaos crashes Postgres under load to show the processes survive.
test('the installed postgres driver carries the guard for writes after a closed socket', () => {
  const root = path.resolve(path.dirname(require.resolve('postgres')), '..', '..'); // <root>/cjs/src/index.js
  for (const file of ['cjs/src/connection.js', 'src/connection.js']) {
    const source = readFileSync(path.join(root, file), 'utf8');
    expect(source).toMatch(/function nextWrite\(fn\) \{\n[^}]*if \(!socket\) \{\n\s+chunk = nextWriteTimer = null/);
  }
});
