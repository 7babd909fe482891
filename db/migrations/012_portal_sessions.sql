-- Tenant portal sessions: a short-lived, revocable credential for one tenant that Hookline's own
-- portal pages send as a bearer token. Only an HMAC of the token is kept (under a key derived from
-- HOOKLINE_ENCRYPTION_KEY), so neither a read of this table nor a row written without that key
-- yields a working token.
CREATE TABLE portal_sessions (
  id         text PRIMARY KEY DEFAULT ('ps_' || replace(gen_random_uuid()::text, '-', '')),
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_sessions_tenant ON portal_sessions (tenant_id, created_at DESC);

ALTER TABLE portal_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON portal_sessions TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON portal_sessions TO hookline_app;

-- A request's portal token, to its tenant and state: read before the tenant is known, so through a
-- narrow definer function (as hookline_tenant_for_api_key), which answers nothing but these columns.
GRANT SELECT (token_hash, tenant_id, expires_at, revoked_at) ON portal_sessions TO hookline_definer;
CREATE POLICY definer_read ON portal_sessions FOR SELECT TO hookline_definer USING (true);
CREATE FUNCTION hookline_portal_session(token_hash text)
  RETURNS TABLE (tenant_id text, expires_at timestamptz, revoked_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT s.tenant_id, s.expires_at, s.revoked_at FROM public.portal_sessions s
  WHERE s.token_hash = hookline_portal_session.token_hash
$$;

-- The operator console looks across tenants (admin token): endpoints that fail or are disabled, and a
-- delivery by any of its ids. Read-only, ids and states only: no secret, no body.
GRANT SELECT (id, tenant_id, url, enabled, consecutive_failures, disabled_at, disabled_reason, updated_at) ON endpoints TO hookline_definer;
CREATE FUNCTION hookline_admin_endpoints(only_disabled boolean, max_rows integer)
  RETURNS TABLE (id text, tenant_id text, url text, enabled boolean, consecutive_failures integer,
                 disabled_at timestamptz, disabled_reason text, updated_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.id, e.tenant_id, e.url, e.enabled, e.consecutive_failures, e.disabled_at, e.disabled_reason, e.updated_at
  FROM public.endpoints e
  WHERE (NOT e.enabled) OR (NOT only_disabled AND e.consecutive_failures > 0)
  ORDER BY e.updated_at DESC, e.id LIMIT max_rows
$$;

CREATE INDEX IF NOT EXISTS deliveries_event_id ON deliveries (event_id);
GRANT SELECT (id, tenant_id, endpoint_id, event_id, kind, status, attempt_count, last_attempt_at, next_retry_at, created_at) ON deliveries TO hookline_definer;
CREATE POLICY definer_read ON deliveries FOR SELECT TO hookline_definer USING (true);
CREATE FUNCTION hookline_admin_find_deliveries(any_id text, max_rows integer)
  RETURNS TABLE (id text, tenant_id text, endpoint_id text, event_id text, kind text, status text,
                 attempt_count integer, last_attempt_at timestamptz, next_retry_at timestamptz, created_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, d.kind, d.status, d.attempt_count, d.last_attempt_at,
         d.next_retry_at, d.created_at
  FROM public.deliveries d
  WHERE d.id = any_id OR d.event_id = any_id OR d.endpoint_id = any_id
  ORDER BY d.created_at DESC, d.id DESC LIMIT max_rows
$$;

DO $$
DECLARE f text;
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  FOREACH f IN ARRAY ARRAY[
    'hookline_portal_session(text)', 'hookline_admin_endpoints(boolean, integer)', 'hookline_admin_find_deliveries(text, integer)'
  ] LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO hookline_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hookline_app', f);
  END LOOP;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
