import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from './sql';

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
const LOCK_ID = 7_243_301; // any constant: serialises concurrent migrators

/** Applies the numbered .sql files not yet recorded, each in its own transaction. Safe to run twice. */
export async function migrate(sql: Sql): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_ID})`;
    await tx`create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())`;
    const done = new Set((await tx<{ version: string }[]>`select version from schema_migrations`).map((r) => r.version));
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.unsafe(await readFile(path.join(MIGRATIONS_DIR, file), 'utf8'));
      await tx`insert into schema_migrations (version) values (${file})`;
      applied.push(file);
    }
  });
  return applied;
}

/** Runs `fn` on the `postgres` database of the server in `url`, with the name of `url`'s database. */
async function onServer(url: string, createSql: (url: string) => Sql, fn: (sql: Sql, name: string, quoted: string) => Promise<unknown>): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = createSql(admin.toString());
  try {
    await fn(sql, name, `"${name.replace(/"/g, '""')}"`);
  } finally {
    await sql.end();
  }
}

/** Creates the database named in `url` if it is missing (connecting to `postgres` to do so). */
export function ensureDatabase(url: string, createSql: (url: string) => Sql): Promise<void> {
  return onServer(url, createSql, async (sql, name, quoted) => {
    const [row] = await sql`select 1 as one from pg_database where datname = ${name}`;
    if (!row) await sql.unsafe(`create database ${quoted}`);
  });
}

/** Drops the database named in `url`, closing its connections; for the throwaway ones of tests and proofs. */
export function dropDatabase(url: string, createSql: (url: string) => Sql): Promise<void> {
  return onServer(url, createSql, (sql, _name, quoted) => sql.unsafe(`drop database if exists ${quoted} with (force)`));
}
