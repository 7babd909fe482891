-- Bulk recovery (POST /v1/webhooks/:id/recover): one row per recovery, its progress kept beside the
-- redeliveries it queues, so a crashed or retried batch resumes from the stored cursor.
CREATE TABLE recoveries (
  id                 text PRIMARY KEY,
  tenant_id          text NOT NULL,
  endpoint_id        text NOT NULL,
  since              timestamptz NOT NULL,
  until              timestamptz NOT NULL,
  statuses           text[] NOT NULL CHECK (statuses <@ ARRAY['failed', 'skipped']::text[] AND cardinality(statuses) > 0),
  status             text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  error              text,
  matched            integer NOT NULL DEFAULT 0,
  queued             integer NOT NULL DEFAULT 0,
  cursor_created_at  timestamptz,
  cursor_id          text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  completed_at       timestamptz,
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES endpoints (tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
CREATE INDEX recoveries_endpoint ON recoveries (endpoint_id, created_at);

ALTER TABLE recoveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE recoveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON recoveries TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON recoveries TO hookline_app;

-- A redelivery queued by a recovery names it and the delivery it re-sends; one per event and
-- recovery, so a retried batch or a crash-resumed workflow never queues the same event twice.
ALTER TABLE deliveries ADD COLUMN recovery_id text, ADD COLUMN recovered_from text;
CREATE UNIQUE INDEX deliveries_recovery_event ON deliveries (recovery_id, event_id) WHERE recovery_id IS NOT NULL;

-- New outbox kind (start a recovery's workflow); the trace context of the request that wrote a row,
-- so the relay's start continues the request's trace (W3C traceparent; null when tracing is off).
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('deliver', 'test', 'set_enabled', 'start_endpoint', 'stop_endpoint', 'recover'));
ALTER TABLE outbox ADD COLUMN traceparent text;

DROP FUNCTION hookline_outbox_claim(text, integer);
CREATE FUNCTION hookline_outbox_claim(task_queue text, max_rows integer)
  RETURNS TABLE (id bigint, tenant_id text, kind text, payload jsonb, attempts integer, traceparent text)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT o.id, o.tenant_id, o.kind, o.payload, o.attempts, o.traceparent FROM public.outbox o
  WHERE o.task_queue = hookline_outbox_claim.task_queue AND o.available_at <= now()
  ORDER BY o.id LIMIT max_rows FOR UPDATE SKIP LOCKED
$$;
GRANT SELECT (traceparent) ON outbox TO hookline_definer;

-- Operational webhooks: the operator's endpoint lives in a reserved tenant (HOOKLINE_OPERATOR_WEBHOOK_URL,
-- set up at worker start). hookline_operator_event writes an event, its delivery and the outbox row for
-- that endpoint inside the caller's transaction (which is set to another tenant), so what it reports and
-- the report commit together. Nothing when the operator endpoint does not exist; `skipped` while it is disabled.
GRANT SELECT (tenant_id, enabled, event_types) ON endpoints TO hookline_definer;
GRANT INSERT ON events TO hookline_definer;
CREATE POLICY definer_operator ON events TO hookline_definer
  USING (tenant_id = 'hookline.operator') WITH CHECK (tenant_id = 'hookline.operator');
GRANT INSERT ON deliveries TO hookline_definer;
CREATE POLICY definer_operator ON deliveries TO hookline_definer
  USING (tenant_id = 'hookline.operator') WITH CHECK (tenant_id = 'hookline.operator');
GRANT INSERT (tenant_id, task_queue, kind, payload) ON outbox TO hookline_definer;
GRANT USAGE ON SEQUENCE deliveries_seq_seq, outbox_id_seq TO hookline_definer;

CREATE FUNCTION hookline_operator_event(event_type text, event_data jsonb, task_queue text) RETURNS text
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  ep record;
  event_id text := public.hookline_new_id('evt');
  delivery_id text := public.hookline_new_id('dlv');
BEGIN
  SELECT e.id, e.enabled INTO ep FROM public.endpoints e
  WHERE e.tenant_id = 'hookline.operator' AND event_type = ANY (e.event_types) ORDER BY e.id LIMIT 1;
  IF NOT FOUND THEN RETURN NULL; END IF;
  INSERT INTO public.events (tenant_id, id, type, data) VALUES ('hookline.operator', event_id, event_type, event_data);
  -- event_type given here: the fill-in trigger of 010 would read events, which this role may only insert into.
  INSERT INTO public.deliveries (id, tenant_id, endpoint_id, event_id, event_type, kind, status)
  VALUES (delivery_id, 'hookline.operator', ep.id, event_id, event_type, 'event', CASE WHEN ep.enabled THEN 'pending' ELSE 'skipped' END);
  IF ep.enabled THEN
    INSERT INTO public.outbox (tenant_id, task_queue, kind, payload)
    VALUES ('hookline.operator', hookline_operator_event.task_queue, 'deliver', jsonb_build_object('eventId', event_id, 'eventType', event_type,
      'deliveries', jsonb_build_array(jsonb_build_object('id', delivery_id, 'endpointId', ep.id, 'kind', 'event'))));
  END IF;
  RETURN event_id;
END
$$;

DO $$
DECLARE f text;
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  FOREACH f IN ARRAY ARRAY['hookline_outbox_claim(text, integer)', 'hookline_operator_event(text, jsonb, text)'] LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO hookline_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hookline_app', f);
  END LOOP;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
