-- The relay starts no more of a tenant's deliveries than that tenant's share of the worker's send
-- slots has room for (temporal/relay.ts). A flood of deliveries over the share waits here, as rows,
-- costing nothing, instead of as thousands of workflows whose sends are refused and retried.
--   max_deliveries  deliveries one tenant may be given in one claim (its share)
--   room_tenants, room  tenants with sends running in the claiming worker, and how many more each may
--                        start there (0: none; their delivery rows are left for later or another worker)
-- Each tenant's first row is claimed even when it holds more deliveries than that (a large fan-out),
-- as long as the tenant has room. Rows of other kinds (endpoint changes, recoveries) are never held.
CREATE FUNCTION hookline_outbox_claim(task_queue text, max_rows integer, max_deliveries integer, room_tenants text[], room integer[])
  RETURNS TABLE (id bigint, tenant_id text, kind text, payload jsonb, attempts integer, traceparent text)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH rooms AS (SELECT r.tenant_id, r.room FROM unnest(room_tenants, room) AS r (tenant_id, room))
  SELECT o.id, o.tenant_id, o.kind, o.payload, o.attempts, o.traceparent
  FROM public.outbox o
  JOIN (
    SELECT d.id, d.turn FROM (
      SELECT q.id, q.kind,
             row_number() OVER w AS turn,
             sum(CASE WHEN q.kind = 'deliver' THEN jsonb_array_length(q.payload -> 'deliveries') ELSE 0 END) OVER w AS deliveries,
             least(max_deliveries, coalesce((SELECT r.room FROM rooms r WHERE r.tenant_id = q.tenant_id), max_deliveries)) AS allowed
      FROM public.outbox q
      WHERE q.task_queue = hookline_outbox_claim.task_queue AND q.available_at <= now()
      WINDOW w AS (PARTITION BY q.tenant_id ORDER BY q.id)
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
  ALTER FUNCTION hookline_outbox_claim(text, integer, integer, text[], integer[]) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_outbox_claim(text, integer, integer, text[], integer[]) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION hookline_outbox_claim(text, integer, integer, text[], integer[]) TO hookline_app;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
