-- An optional limit on the events published for one tenant (POST /v1/events), shared by every API
-- process: the tenant's setting (null: HOOKLINE_PUBLISH_RATE_PER_SECOND; 0: no limit) and a token
-- bucket per tenant, refilled at that rate and holding at most one second's worth.
ALTER TABLE tenant_settings ADD COLUMN publish_per_second integer CHECK (publish_per_second >= 0);

CREATE TABLE tenant_publish_buckets (
  tenant_id   text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  tokens      double precision NOT NULL,
  refilled_at timestamptz NOT NULL,
  granted     boolean NOT NULL
);

ALTER TABLE tenant_publish_buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_publish_buckets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_publish_buckets TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_publish_buckets TO hookline_app;
