-- Per-endpoint flow control (issue 14): a cap on sends in flight, a rate limit and FIFO ordering.
--   max_in_flight  sends of this endpoint at once in one worker (null: HOOKLINE_ENDPOINT_MAX_IN_FLIGHT)
--   rate_limit     deliveries per second across all workers (null: none)
--   rate_tat       the rate limit's state (GCRA "theoretical arrival time"): the earliest time the next
--                  send may be reserved for; each reservation moves it on by 1/rate_limit seconds
--   rate_sent_tat  the same at the moment of sending: consecutive sends are spaced by 1/rate_limit even
--                  when some of them went late (a stalled worker) and would otherwise bunch up
--   rate_epoch     counts changes of rate_limit: a reservation made before a change is not honoured
--   ordering       'fifo': one delivery at a time in publish order (the endpoint's workflow runs them)
ALTER TABLE endpoints
  ADD COLUMN max_in_flight integer CHECK (max_in_flight >= 1),
  ADD COLUMN rate_limit double precision CHECK (rate_limit > 0),
  ADD COLUMN rate_tat timestamptz,
  ADD COLUMN rate_sent_tat timestamptz,
  ADD COLUMN rate_epoch integer NOT NULL DEFAULT 0,
  ADD COLUMN ordering text NOT NULL DEFAULT 'unordered' CHECK (ordering IN ('unordered', 'fifo'));

-- The FIFO queue of an endpoint is its pending deliveries in seq order.
CREATE INDEX deliveries_pending_seq ON deliveries (endpoint_id, seq) WHERE status = 'pending';

GRANT SELECT (ordering) ON endpoints TO hookline_definer;
-- The relay (not a tenant) learns which endpoints of a batch exist and which of them are FIFO.
CREATE FUNCTION hookline_endpoint_orderings(ids text[]) RETURNS TABLE (id text, ordering text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.id, e.ordering FROM public.endpoints e WHERE e.id = ANY (ids)
$$;

DO $$
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  ALTER FUNCTION hookline_endpoint_orderings(text[]) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_endpoint_orderings(text[]) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION hookline_endpoint_orderings(text[]) TO hookline_app;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
