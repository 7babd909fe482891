import { loadConfigOrExit } from '../infra/config';
import { createSql } from '../db/sql';
import { ensureDatabase, migrate } from '../db/migrate';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await ensureDatabase(config.databaseUrl, (url) => createSql(url, { max: 1 }));
  const sql = createSql(config.databaseUrl, { max: 1 });
  try {
    const applied = await migrate(sql);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await sql.end();
  }
}

main().catch((e) => {
  console.error(`migrate failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
