import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from './sql';

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
const LOCK_ID = 7_243_301; // any constant: serialises concurrent migrators

/**
 * Applies the numbered .sql files not yet recorded, in order, each in its own transaction (a failed
 * file leaves the ones before it applied). An advisory lock held on one session serialises
 * concurrent migrators. Safe to run twice.
 */
export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await sql.reserve().then(async (session) => {
    try {
      await session`select pg_advisory_lock(${LOCK_ID})`;
      await session`create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())`;
      const done = new Set((await session<{ version: string }[]>`select version from schema_migrations`).map((r) => r.version));
      for (const file of files) {
        if (done.has(file)) continue;
        const text = await readFile(path.join(dir, file), 'utf8');
        await session.unsafe('begin');
        try {
          await session.unsafe(text);
          await session`insert into schema_migrations (version) values (${file})`;
          await session.unsafe('commit');
        } catch (err) {
          await session.unsafe('rollback');
          throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
        }
        applied.push(file);
      }
    } finally {
      await session`select pg_advisory_unlock(${LOCK_ID})`.catch(() => {});
      session.release();
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
