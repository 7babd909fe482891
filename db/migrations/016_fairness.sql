-- One tenant can never take everyone's capacity (issue 23).

-- A tenant's share of the task queue relative to the others (Temporal's fairness weight; null: 1).
ALTER TABLE tenant_settings ADD COLUMN fairness_weight double precision CHECK (fairness_weight BETWEEN 0.001 AND 1000);

-- The relay (not a tenant) reads the weights of a batch's tenants to start their workflows with them.
GRANT SELECT (tenant_id, fairness_weight) ON tenant_settings TO hookline_definer;
CREATE POLICY definer_read ON tenant_settings FOR SELECT TO hookline_definer USING (true);
CREATE FUNCTION hookline_fairness_weights(ids text[]) RETURNS TABLE (tenant_id text, weight double precision)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT s.tenant_id, s.fairness_weight FROM public.tenant_settings s WHERE s.tenant_id = ANY (ids) AND s.fairness_weight IS NOT NULL
$$;
DO $$
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  ALTER FUNCTION hookline_fairness_weights(text[]) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_fairness_weights(text[]) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION hookline_fairness_weights(text[]) TO hookline_app;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;

-- One running recovery per endpoint: a request while one runs is answered with the running one's id.
-- Recoveries already running side by side keep the oldest; the others end (their workflows then stop
-- at their next batch, which finds them not running).
UPDATE recoveries r SET status = 'failed', error = 'superseded: one recovery runs per endpoint', completed_at = now(), updated_at = now()
WHERE r.status = 'running' AND EXISTS (
  SELECT 1 FROM recoveries o WHERE o.endpoint_id = r.endpoint_id AND o.status = 'running' AND (o.created_at, o.id) < (r.created_at, r.id));
CREATE UNIQUE INDEX recoveries_one_running ON recoveries (endpoint_id) WHERE status = 'running';

-- A recovery skips an event the endpoint already has delivered or on its way (pending), so
-- overlapping recoveries and a recovery after a redelivery never send an event twice.
CREATE INDEX deliveries_endpoint_event_live ON deliveries (endpoint_id, event_id) WHERE status IN ('pending', 'success');

-- The circuit breaker of each endpoint (domain/circuit.ts). The endpoint's workflow owns the state
-- (closed/open/half_open, when it opened, when the next probe goes); the row mirrors it for the API
-- and for deliveries to read. The run of tripping attempts is counted here, in the transaction that
-- records each attempt, so "in a row" is exact across concurrent sends: one row, updated atomically.
--   circuit_run             attempts in a row that timed out, failed to connect or answered 5xx
--   circuit_run_started_at  when the first of them was recorded (the run counts within the window)
--   circuit_opens           openings in a row without a success between them (the cool-down doubles)
--   circuit_probe           the delivery that holds the half-open probe
ALTER TABLE endpoints
  ADD COLUMN circuit_state text NOT NULL DEFAULT 'closed' CHECK (circuit_state IN ('closed', 'open', 'half_open')),
  ADD COLUMN circuit_opened_at timestamptz,
  ADD COLUMN circuit_next_probe_at timestamptz,
  ADD COLUMN circuit_run integer NOT NULL DEFAULT 0,
  ADD COLUMN circuit_run_started_at timestamptz,
  ADD COLUMN circuit_opens integer NOT NULL DEFAULT 0,
  ADD COLUMN circuit_probe text;

-- A tenant's circuit settings within bounds (null: the deployment's HOOKLINE_CIRCUIT_*).
ALTER TABLE tenant_settings
  ADD COLUMN circuit_failures integer CHECK (circuit_failures BETWEEN 3 AND 1000),
  ADD COLUMN circuit_window_ms integer CHECK (circuit_window_ms BETWEEN 10000 AND 3600000),
  ADD COLUMN circuit_cool_down_ms integer CHECK (circuit_cool_down_ms BETWEEN 5000 AND 3600000);

-- The relay claims due outbox rows round-robin across tenants (each tenant's oldest first, then each
-- one's second, ...), not oldest first overall: a tenant that published thousands of events does not
-- put its backlog ahead of another tenant's next publish in Hookline's own queue, before Temporal's.
CREATE OR REPLACE FUNCTION hookline_outbox_claim(task_queue text, max_rows integer)
  RETURNS TABLE (id bigint, tenant_id text, kind text, payload jsonb, attempts integer, traceparent text)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT o.id, o.tenant_id, o.kind, o.payload, o.attempts, o.traceparent
  FROM public.outbox o
  JOIN (
    SELECT d.id, d.turn FROM (
      SELECT q.id, row_number() OVER (PARTITION BY q.tenant_id ORDER BY q.id) AS turn FROM public.outbox q
      WHERE q.task_queue = hookline_outbox_claim.task_queue AND q.available_at <= now()
    ) d ORDER BY d.turn, d.id LIMIT max_rows
  ) t ON t.id = o.id
  ORDER BY t.turn, o.id
  FOR UPDATE OF o SKIP LOCKED
$$;

-- The console's troubled endpoints: also those whose circuit is not closed, with its state.
GRANT SELECT (circuit_state, circuit_next_probe_at) ON endpoints TO hookline_definer;
DROP FUNCTION hookline_admin_endpoints(boolean, integer);
CREATE FUNCTION hookline_admin_endpoints(only_disabled boolean, max_rows integer)
  RETURNS TABLE (id text, tenant_id text, url text, enabled boolean, consecutive_failures integer,
                 disabled_at timestamptz, disabled_reason text, updated_at timestamptz, circuit_state text, circuit_next_probe_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.id, e.tenant_id, e.url, e.enabled, e.consecutive_failures, e.disabled_at, e.disabled_reason, e.updated_at,
         e.circuit_state, e.circuit_next_probe_at
  FROM public.endpoints e
  WHERE (NOT e.enabled) OR (NOT only_disabled AND (e.consecutive_failures > 0 OR e.circuit_state <> 'closed'))
  ORDER BY e.updated_at DESC, e.id LIMIT max_rows
$$;
DO $$
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  ALTER FUNCTION hookline_admin_endpoints(boolean, integer) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_admin_endpoints(boolean, integer) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION hookline_admin_endpoints(boolean, integer) TO hookline_app;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
