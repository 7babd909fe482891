import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase, ensureDatabase, migrate } from '../../db/migrate';
import { createSql } from '../../db/sql';

test('each migration file is its own transaction: a failing file leaves the ones before it applied, and nothing of itself', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-migrations-'));
  writeFileSync(path.join(dir, '001_first.sql'), 'CREATE TABLE first_table (id int);');
  writeFileSync(path.join(dir, '002_broken.sql'), 'CREATE TABLE second_table (id int);\nCREATE TABLE oops (;');
  const url = new URL(process.env.HOOKLINE_TEST_DATABASE_URL!);
  url.pathname = `/${url.pathname.slice(1)}_migrate`;
  await ensureDatabase(url.toString(), (u) => createSql(u, { max: 1 }));
  const sql = createSql(url.toString(), { max: 1 });
  try {
    await expect(migrate(sql, dir)).rejects.toThrow(/002_broken\.sql/);
    const versions = await sql<{ version: string }[]>`select version from schema_migrations order by 1`;
    expect(versions.map((v) => v.version)).toEqual(['001_first.sql']);
    const tables = await sql<{ name: string }[]>`select tablename as name from pg_tables where tablename in ('first_table', 'second_table')`;
    expect(tables.map((t) => t.name)).toEqual(['first_table']);
  } finally {
    await sql.end();
    await dropDatabase(url.toString(), (u) => createSql(u, { max: 1 }));
  }
});
