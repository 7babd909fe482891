-- The API and workers log in as hookline_app: a role that owns nothing, is not a superuser and
-- cannot bypass row-level security, so RESET ROLE leaves it where it is. Migrations run as the owner.
-- Role names are global to the cluster: created once, altered only when not as they should be.
DO $$
BEGIN
  BEGIN
    CREATE ROLE hookline_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- made by an earlier database or a concurrent migrator
  END;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hookline_app'
             AND NOT (rolcanlogin AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreatedb AND NOT rolcreaterole AND NOT rolreplication)) THEN
    ALTER ROLE hookline_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
  -- Owns the few SECURITY DEFINER functions below, and holds only the column grants and policies they
  -- read through: nobody logs in as it and hookline_app is not a member, so it is reached through them alone.
  BEGIN
    CREATE ROLE hookline_definer NOLOGIN NOSUPERUSER NOBYPASSRLS;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END
$$;
GRANT hookline_definer TO CURRENT_USER;

-- Row-level security binds the tables' owner too (a superuser still passes: the migrator in
-- development). A later migration that rewrites tenant rows runs as a superuser or sets the tenant.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_keys', 'endpoints', 'endpoint_secrets', 'events', 'deliveries', 'attempts', 'outbox'] LOOP
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

-- No row can point at another tenant's endpoint or delivery: the tenant is part of every reference.
ALTER TABLE endpoints ADD CONSTRAINT endpoints_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE deliveries ADD CONSTRAINT deliveries_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE deliveries DROP CONSTRAINT deliveries_endpoint_id_fkey,
  ADD CONSTRAINT deliveries_endpoint_fkey FOREIGN KEY (tenant_id, endpoint_id) REFERENCES endpoints (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE endpoint_secrets DROP CONSTRAINT endpoint_secrets_endpoint_id_fkey,
  ADD CONSTRAINT endpoint_secrets_endpoint_fkey FOREIGN KEY (tenant_id, endpoint_id) REFERENCES endpoints (tenant_id, id) ON DELETE CASCADE;
ALTER TABLE attempts DROP CONSTRAINT attempts_delivery_id_fkey,
  ADD CONSTRAINT attempts_delivery_fkey FOREIGN KEY (tenant_id, delivery_id) REFERENCES deliveries (tenant_id, id) ON DELETE CASCADE;

-- Several live keys per tenant (rotation without downtime), each listed by id and its last characters.
ALTER TABLE api_keys
  ADD COLUMN id text NOT NULL DEFAULT ('key_' || replace(gen_random_uuid()::text, '-', '')),
  ADD COLUMN last4 text;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_id_key UNIQUE (id);

-- What the definer functions read, and nothing more. Policies for hookline_definer see every tenant.
GRANT SELECT (key_hash, tenant_id) ON api_keys TO hookline_definer;
CREATE POLICY definer_read ON api_keys FOR SELECT TO hookline_definer USING (true);
GRANT SELECT (id) ON endpoints TO hookline_definer;
CREATE POLICY definer_read ON endpoints FOR SELECT TO hookline_definer USING (true);
GRANT SELECT, DELETE, UPDATE (attempts, last_error, available_at) ON outbox TO hookline_definer;
CREATE POLICY definer_relay ON outbox TO hookline_definer USING (true) WITH CHECK (true);
GRANT SELECT (id), DELETE ON tenants TO hookline_definer;

-- The API key of a request, to its tenant: the one lookup the API makes before it knows the tenant.
CREATE FUNCTION hookline_tenant_for_api_key(key_hash text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT k.tenant_id FROM public.api_keys k WHERE k.key_hash = hookline_tenant_for_api_key.key_hash
$$;

-- The relay in the workers serves every tenant: it claims, completes and defers outbox rows (ids only).
CREATE FUNCTION hookline_outbox_claim(task_queue text, max_rows integer)
  RETURNS TABLE (id bigint, tenant_id text, kind text, payload jsonb, attempts integer)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT o.id, o.tenant_id, o.kind, o.payload, o.attempts FROM public.outbox o
  WHERE o.task_queue = hookline_outbox_claim.task_queue AND o.available_at <= now()
  ORDER BY o.id LIMIT max_rows FOR UPDATE SKIP LOCKED
$$;

CREATE FUNCTION hookline_outbox_done(ids bigint[]) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  DELETE FROM public.outbox o WHERE o.id = ANY (ids)
$$;

-- A growing delay (1 s doubling, at most a minute) and the reason.
CREATE FUNCTION hookline_outbox_defer(ids bigint[], errors text[]) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  UPDATE public.outbox o SET attempts = o.attempts + 1, last_error = f.error,
    available_at = now() + least(interval '1 second' * power(2, least(o.attempts, 6)), interval '60 seconds')
  FROM unnest(ids, errors) AS f(id, error) WHERE o.id = f.id
$$;

CREATE FUNCTION hookline_existing_endpoints(ids text[]) RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.id FROM public.endpoints e WHERE e.id = ANY (ids)
$$;

-- Deleting a tenant cascades to all its rows; only the tenant set for this transaction can go.
CREATE FUNCTION hookline_delete_tenant(tenant_id text) RETURNS boolean
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH gone AS (
    DELETE FROM public.tenants t WHERE t.id = hookline_delete_tenant.tenant_id AND t.id = public.hookline_current_tenant() RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM gone)
$$;

DO $$
DECLARE f text;
BEGIN
  -- Changing an owner needs the new owner to be allowed to create in the schema: only for this moment.
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  FOREACH f IN ARRAY ARRAY[
    'hookline_tenant_for_api_key(text)', 'hookline_outbox_claim(text, integer)', 'hookline_outbox_done(bigint[])',
    'hookline_outbox_defer(bigint[], text[])', 'hookline_existing_endpoints(text[])',
    'hookline_delete_tenant(text)'
  ] LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO hookline_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hookline_app', f);
  END LOOP;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
