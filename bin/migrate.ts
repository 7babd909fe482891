import { loadConfigOrExit } from '../infra/config';
import { createSql } from '../db/sql';
import { ensureDatabase, migrate } from '../db/migrate';
import { setAppRolePassword } from '../db/roles';
import { loadCatalogueFile } from '../services/event-types';

/** `npm run migrate`: as the schema owner (DATABASE_MIGRATION_URL), never as the app's login. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env, { serving: false });
  await ensureDatabase(config.migrationDatabaseUrl, (url) => createSql(url, { max: 1 }));
  const sql = createSql(config.migrationDatabaseUrl, { max: 1 });
  try {
    const applied = await migrate(sql);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
    const types = await loadCatalogueFile(sql, config.eventTypesFile);
    console.log(`event types from ${config.eventTypesFile}: ${types.types} listed, ${types.created} created, ${types.updated} updated`);
    if (await setAppRolePassword(sql, config.databaseUrl)) console.log('hookline_app may log in with the password in DATABASE_URL');
  } finally {
    await sql.end();
  }
}

main().catch((e) => {
  console.error(`migrate failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
