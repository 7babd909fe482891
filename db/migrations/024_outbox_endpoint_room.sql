-- The relay also starts no more deliveries for one endpoint than that endpoint's lane of the
-- claiming worker's sends has room for (temporal/relay.ts). A tenant's share (50 sends by default) is
-- twice an endpoint's (25): a claim of a tenant's whole share for one endpoint had its first sends
-- over the endpoint's lane refused, each then coming back as a timer and a regular activity.
--   max_per_endpoint  deliveries one endpoint may be given in one claim (the default share; an
--                     endpoint's own max_in_flight instead where it has one)
--   busy_endpoints, endpoint_busy  endpoints with sends running or admitted in the claiming worker, and
--                                  how many (a huge number: none may start, refused sends wait); the
--                                  worker knows an endpoint's own cap only once a send of it has run
-- Only rows of one delivery are held for their endpoint (a fan-out's row spans endpoints, and is
-- claimed by its tenant's room as before), and only for endpoints whose sends go as soon as their
-- workflows start: a FIFO endpoint's rows only wake its workflow (which sends one at a time), and a
-- rate-limited endpoint's sends wait for their slots, so neither can over-fill its lane. A held row
-- is not counted against its tenant's share. The five-argument function of 022 stays for relays of
-- the version before.
GRANT SELECT (rate_limit, max_in_flight) ON endpoints TO hookline_definer;

-- (A database that ran an earlier draft of this function under another file name gets this one.)
DROP FUNCTION IF EXISTS hookline_outbox_claim(text, integer, integer, text[], integer[], integer, text[], integer[]);
CREATE FUNCTION hookline_outbox_claim(task_queue text, max_rows integer, max_deliveries integer, room_tenants text[], room integer[],
                                      max_per_endpoint integer, busy_endpoints text[], endpoint_busy integer[])
  RETURNS TABLE (id bigint, tenant_id text, kind text, payload jsonb, attempts integer, traceparent text)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH rooms AS (SELECT r.tenant_id, r.room FROM unnest(room_tenants, room) AS r (tenant_id, room)),
  endpoint_load AS (SELECT e.endpoint_id, e.busy FROM unnest(busy_endpoints, endpoint_busy) AS e (endpoint_id, busy)),
  due AS (
    SELECT q.id, q.tenant_id, q.kind,
           CASE WHEN q.kind = 'deliver' THEN jsonb_array_length(q.payload -> 'deliveries') ELSE 0 END AS n,
           e.id AS lone_endpoint,
           coalesce(e.max_in_flight, max_per_endpoint) AS endpoint_cap
    FROM public.outbox q
    LEFT JOIN public.endpoints e
      ON q.kind = 'deliver' AND jsonb_array_length(q.payload -> 'deliveries') = 1
     AND e.id = q.payload -> 'deliveries' -> 0 ->> 'endpointId' AND e.ordering = 'unordered' AND e.rate_limit IS NULL
    WHERE q.task_queue = hookline_outbox_claim.task_queue AND q.available_at <= now()
  ),
  by_endpoint AS (
    SELECT u.*, row_number() OVER (PARTITION BY u.lone_endpoint ORDER BY u.id) AS endpoint_turn,
           u.endpoint_cap - coalesce((SELECT l.busy FROM endpoint_load l WHERE l.endpoint_id = u.lone_endpoint), 0) AS endpoint_allowed
    FROM due u
  )
  SELECT o.id, o.tenant_id, o.kind, o.payload, o.attempts, o.traceparent
  FROM public.outbox o
  JOIN (
    SELECT d.id, d.turn FROM (
      SELECT b.id, b.kind,
             row_number() OVER w AS turn,
             sum(b.n) OVER w AS deliveries,
             least(max_deliveries, coalesce((SELECT r.room FROM rooms r WHERE r.tenant_id = b.tenant_id), max_deliveries)) AS allowed
      FROM by_endpoint b
      WHERE b.lone_endpoint IS NULL OR b.endpoint_turn <= b.endpoint_allowed
      WINDOW w AS (PARTITION BY b.tenant_id ORDER BY b.id)
    ) d
    WHERE d.kind <> 'deliver' OR (d.allowed > 0 AND (d.turn = 1 OR d.deliveries <= d.allowed))
    ORDER BY d.turn, d.id LIMIT max_rows
  ) t ON t.id = o.id
  ORDER BY t.turn, o.id
  FOR UPDATE OF o SKIP LOCKED
$$;
DO $$
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  ALTER FUNCTION hookline_outbox_claim(text, integer, integer, text[], integer[], integer, text[], integer[]) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_outbox_claim(text, integer, integer, text[], integer[], integer, text[], integer[]) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION hookline_outbox_claim(text, integer, integer, text[], integer[], integer, text[], integer[]) TO hookline_app;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
