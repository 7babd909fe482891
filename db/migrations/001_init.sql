-- Tenant-scoped work runs as hookline_app (SET LOCAL ROLE in withTenant), a role that owns
-- nothing and is not a superuser, so the row-level security policies below always bind it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hookline_app') THEN
    CREATE ROLE hookline_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END
$$;
GRANT hookline_app TO CURRENT_USER;

CREATE FUNCTION hookline_current_tenant() RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('hookline.tenant_id', true), '') $$;

CREATE TABLE tenants (
  id         text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]{1,128}$'),
  name       text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  key_hash   text PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE endpoints (
  id                   text PRIMARY KEY,
  tenant_id            text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url                  text NOT NULL,
  description          text NOT NULL DEFAULT '',
  event_types          text[] NOT NULL,
  enabled              boolean NOT NULL DEFAULT true,
  consecutive_failures integer NOT NULL DEFAULT 0,
  disabled_at          timestamptz,
  disabled_reason      text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX endpoints_tenant ON endpoints (tenant_id, created_at);

CREATE TABLE endpoint_secrets (
  id          bigserial PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  tenant_id   text NOT NULL,
  ciphertext  text NOT NULL,
  fingerprint text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz
);
CREATE INDEX endpoint_secrets_endpoint ON endpoint_secrets (endpoint_id, created_at DESC);

CREATE TABLE events (
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         text NOT NULL,
  type       text NOT NULL,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE deliveries (
  seq             bigserial UNIQUE,
  id              text PRIMARY KEY,
  tenant_id       text NOT NULL,
  endpoint_id     text NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  event_id        text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('event', 'test', 'redelivery')),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'success', 'failed')),
  attempt_count   integer NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  next_retry_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id) ON DELETE CASCADE
);
-- One original delivery per (event, endpoint): a repeated fan-out finds it instead of adding one.
CREATE UNIQUE INDEX deliveries_original ON deliveries (endpoint_id, event_id) WHERE kind = 'event';
CREATE INDEX deliveries_endpoint_seq ON deliveries (endpoint_id, seq DESC);
CREATE INDEX deliveries_pending ON deliveries (endpoint_id) WHERE status = 'pending';

CREATE TABLE attempts (
  delivery_id     text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  tenant_id       text NOT NULL,
  attempt         integer NOT NULL,
  started_at      timestamptz NOT NULL,
  duration_ms     integer NOT NULL,
  response_status integer,
  response_body   text,
  error           text,
  next_retry_at   timestamptz,
  PRIMARY KEY (delivery_id, attempt)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_keys', 'endpoints', 'endpoint_secrets', 'events', 'deliveries', 'attempts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I TO hookline_app USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant())',
      t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO hookline_app', t);
  END LOOP;
END
$$;
GRANT SELECT ON tenants TO hookline_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO hookline_app;
