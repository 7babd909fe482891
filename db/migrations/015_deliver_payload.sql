-- The outbox 'deliver' payload (OutboxMessage in db/queries/outbox.ts), built by one function: publishing,
-- a recovery's batches and the operational webhooks all call it, so its shape is written once.
CREATE FUNCTION hookline_deliver_payload(event_id text, event_type text, kind text, delivery_ids text[], endpoint_ids text[])
  RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object('eventId', event_id, 'eventType', event_type, 'deliveries',
    (SELECT jsonb_agg(jsonb_build_object('id', u.id, 'endpointId', u.endpoint_id, 'kind', kind) ORDER BY u.n)
     FROM unnest(delivery_ids, endpoint_ids) WITH ORDINALITY AS u(id, endpoint_id, n)))
$$;

-- 011's function with its payload taken from the builder above; the rest as in 011.
CREATE OR REPLACE FUNCTION hookline_operator_event(event_type text, event_data jsonb, task_queue text) RETURNS text
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
    VALUES ('hookline.operator', hookline_operator_event.task_queue, 'deliver',
      public.hookline_deliver_payload(event_id, event_type, 'event', ARRAY[delivery_id], ARRAY[ep.id]));
  END IF;
  RETURN event_id;
END
$$;
