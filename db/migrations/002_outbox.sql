-- The transactional outbox: what Temporal must be told (start a delivery, signal or stop an endpoint's
-- workflow) is written in the same transaction as the rows it is about, and the relay in the workers
-- carries it out and deletes it. Ids only, never a secret or an event body.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  tenant_id    text NOT NULL,
  -- The task queue of the deployment that wrote it: only that deployment's relays carry it out.
  task_queue   text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('deliver', 'test', 'set_enabled', 'start_endpoint', 'stop_endpoint')),
  payload      jsonb NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  available_at timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (task_queue, available_at, id);

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO hookline_app;
GRANT USAGE ON SEQUENCE outbox_id_seq TO hookline_app;

-- NOTIFY is delivered at commit, once per transaction: the relay wakes as soon as the rows are visible.
CREATE FUNCTION hookline_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hookline_outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION hookline_outbox_notify();

-- Published while the endpoint was disabled: logged, not sent, recoverable.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'success', 'failed', 'skipped'));

-- Tenant creation runs in one transaction under the app role (tenant row and API key together).
GRANT INSERT ON tenants TO hookline_app;
