import type { Sql } from './sql';

/** The login role the API and workers use: created by migrations/003_least_privilege.sql. */
export const APP_ROLE = 'hookline_app';

/**
 * Gives hookline_app the password in the app's DATABASE_URL, so a deployment (docker compose) needs no
 * step by hand. Run as the owner after migrating; does nothing when that URL holds no password or
 * names another role (then its password is the operator's business).
 */
export async function setAppRolePassword(owner: Sql, appUrl: string): Promise<boolean> {
  const url = new URL(appUrl);
  if (decodeURIComponent(url.username) !== APP_ROLE || !url.password) return false;
  // Statements that set a password take no bind parameters: format() quotes it.
  const [row] = await owner<{ statement: string }[]>`
    select format('alter role %I with login password %L', ${APP_ROLE}::text, ${decodeURIComponent(url.password)}::text) as statement`;
  await owner.unsafe(row!.statement);
  return true;
}

/**
 * Why this connection must not serve the app, or null when it may: a superuser or a role with
 * BYPASSRLS is above row-level security, and the tables' owner (or a member of it) can lift it.
 */
export async function unsafeAppRole(sql: Sql): Promise<string | null> {
  const [me] = await sql<{ user: string; superuser: boolean; bypassRls: boolean; ownsSchema: boolean }[]>`
    select r.rolname as user, r.rolsuper as superuser, r.rolbypassrls as bypass_rls,
      coalesce((select pg_has_role(current_user, c.relowner, 'MEMBER') from pg_class c
                where c.oid = to_regclass('tenants')), false) as owns_schema
    from pg_roles r where r.rolname = current_user`;
  if (!me) return null;
  if (me.superuser) return `connects as ${me.user}, a superuser`;
  if (me.bypassRls) return `connects as ${me.user}, which bypasses row-level security`;
  if (me.ownsSchema) return `connects as ${me.user}, which owns the schema`;
  return null;
}
