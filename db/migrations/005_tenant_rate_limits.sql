-- Per-tenant limits on test sends and redeliveries, shared by every API process: one row per tenant
-- and action holds the current one-minute window and how many requests it has seen.
CREATE TABLE tenant_rate_limits (
  tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  action       text NOT NULL CHECK (action IN ('test', 'redeliver')),
  window_start timestamptz NOT NULL,
  used         integer NOT NULL,
  PRIMARY KEY (tenant_id, action)
);

ALTER TABLE tenant_rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_rate_limits TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_rate_limits TO hookline_app;
