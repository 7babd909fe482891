-- A generic product: event types as data, per-tenant settings, per-endpoint headers, ed25519 keys.

-- The event-type catalogue, global (every tenant publishes and subscribes to the same types) and
-- managed by the operator. `source` says who owns a row's definition: 'catalogue' rows are kept in
-- step with HOOKLINE_EVENT_TYPES_FILE on every load; a change through the admin API makes it 'admin',
-- and the file leaves it alone from then on. Archived types are never deleted (events refer to them).
CREATE TABLE event_types (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$' AND length(name) <= 128),
  description text NOT NULL DEFAULT '',
  schema      jsonb,
  example     jsonb,
  source      text NOT NULL DEFAULT 'admin' CHECK (source IN ('catalogue', 'admin')),
  archived_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON event_types TO hookline_app;

-- Per-tenant overrides of the deployment's defaults; a null column inherits the environment's value.
-- legacy_signature: null = the deployment's HOOKLINE_LEGACY_SIGNATURE_HEADER, '"none"' = no legacy
-- header, or {"header": "X-DevCard-Signature", "format": "sha256=hex" | "hex"}.
CREATE TABLE tenant_settings (
  tenant_id              text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  legacy_signature       jsonb,
  retry_schedule_ms      integer[],
  disable_after_failures integer CHECK (disable_after_failures BETWEEN 1 AND 1000000),
  updated_at             timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_settings TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_settings TO hookline_app;

-- Headers sent on every attempt (not secrets: they are shown in the endpoint's answer), as
-- [[name, value], ...]: pairs keep names exactly as given (the client renames object keys it reads),
-- and the signature scheme of the newest key with its public half (whpk_..., for v1a; null for v1).
ALTER TABLE endpoints
  ADD COLUMN headers jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN signature_scheme text NOT NULL DEFAULT 'v1' CHECK (signature_scheme IN ('v1', 'v1a')),
  ADD COLUMN public_key text;

-- Each key signs by its own scheme, so a rotation from v1 to v1a keeps both signing through the grace.
-- For v1a the ciphertext holds the ed25519 private key (PKCS#8 DER, base64), sealed like a secret.
ALTER TABLE endpoint_secrets ADD COLUMN scheme text NOT NULL DEFAULT 'v1' CHECK (scheme IN ('v1', 'v1a'));
