import { rmSync } from 'node:fs';
import { dropDatabase } from '../../db/migrate';
import { createSql } from '../../db/sql';
import type { DevServer } from '../../tools/temporal/temporal-dev-server';
import { dropTemporalDatabases, type TemporalServer } from '../../tools/temporal/temporal-server/start';
import { forgetServer } from './orphans';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const server = g.__hooklineTemporal as DevServer | undefined;
  if (server) {
    await server.stop();
    forgetServer(server.process.pid!);
  }
  const engine = g.__hooklineTemporalServer as { server: TemporalServer; prefix: string } | undefined;
  if (engine) {
    await engine.server.stop();
    forgetServer(engine.server.process.pid!);
    await dropTemporalDatabases(engine.prefix).catch(() => {});
  }
  const url = g.__hooklineDatabaseUrl as string | undefined;
  if (url && !process.env.HOOKLINE_TEST_KEEP_DB) await dropDatabase(url, (u) => createSql(u, { max: 1 })).catch(() => {});
  for (const bundle of [process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE, process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE_TRACED]) if (bundle) rmSync(bundle, { force: true });
}
