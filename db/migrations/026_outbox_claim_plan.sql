-- The relay claims on every notification a publish sends, so below a worker's top rate it makes
-- about one claim per delivery. The claim was a LANGUAGE sql function with its own search_path,
-- which Postgres plans afresh on every call: planning its query (windows over the due rows and the
-- endpoints they are for) took 0.4 ms of Postgres's CPU per claim, four times what running it on a
-- short outbox takes. A PL/pgSQL body keeps its plan for the session. Same arguments; the same rows
-- in the same order while no other claim holds rows it chooses (below); CREATE OR REPLACE keeps its
-- owner (hookline_definer) and grants.
--
-- It also chose its rows among all due rows and only then skipped those another relay had locked:
-- two relays woken by the same notification chose the same head of an endpoint's backlog (its room
-- in each worker), and the second got nothing and waited for its next wake-up, so a second worker
-- took almost no share of one endpoint's backlog. Now rows it chose that another claim holds are
-- left out and it chooses again (at most four times), so each tenant's turn and each endpoint's room
-- go to rows it can take; rows it took in an earlier pass count in them as before.
CREATE OR REPLACE FUNCTION hookline_outbox_claim(task_queue text, max_rows integer, max_deliveries integer, room_tenants text[], room integer[],
                                      max_per_endpoint integer, busy_endpoints text[], endpoint_busy integer[])
  RETURNS TABLE (id bigint, tenant_id text, kind text, payload jsonb, attempts integer, traceparent text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  skipped bigint[] := '{}';
  returned bigint[] := '{}';
  candidates bigint[];
  locked bigint[];
  claimed record;
BEGIN
  FOR pass IN 1..4 LOOP
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
        WHERE q.task_queue = hookline_outbox_claim.task_queue AND q.available_at <= now() AND q.id <> ALL (skipped)
      ),
      by_endpoint AS (
        SELECT u.*, row_number() OVER (PARTITION BY u.lone_endpoint ORDER BY u.id) AS endpoint_turn,
               u.endpoint_cap - coalesce((SELECT l.busy FROM endpoint_load l WHERE l.endpoint_id = u.lone_endpoint), 0) AS endpoint_allowed
        FROM due u
      )
      SELECT array_agg(c.id ORDER BY c.turn, c.id) INTO candidates FROM (
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
      ) c;
    EXIT WHEN candidates IS NULL;
    locked := '{}';
    FOR claimed IN SELECT o.id, o.tenant_id, o.kind, o.payload, o.attempts, o.traceparent
             FROM public.outbox o JOIN unnest(candidates) WITH ORDINALITY AS c (id, n) ON c.id = o.id
             ORDER BY c.n
             FOR UPDATE OF o SKIP LOCKED LOOP
      locked := locked || claimed.id;
      CONTINUE WHEN claimed.id = ANY (returned);
      returned := returned || claimed.id;
      id := claimed.id; tenant_id := claimed.tenant_id; kind := claimed.kind; payload := claimed.payload;
      attempts := claimed.attempts; traceparent := claimed.traceparent;
      RETURN NEXT;
    END LOOP;
    -- Chosen rows another claim holds: choose again without them, so that the rooms go to rows it can take.
    EXIT WHEN candidates <@ locked;
    skipped := skipped || ARRAY(SELECT unnest(candidates) EXCEPT SELECT unnest(locked));
  END LOOP;
END
$$;
