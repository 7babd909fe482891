-- An endpoint's statistics through a change log, as a tenant's are (023). The triggers added every
-- statement's changes to the endpoint's minute, hour and day rows in the statement's own transaction,
-- so every publish and every recorded attempt of an endpoint updated the same three rows and held their
-- locks until it committed: an endpoint's transactions queued on each other (a publish waited 43-53 ms
-- on them at 50 deliveries/s to one endpoint, where it needs well under one alone).
--
-- Now the triggers only append to delivery_stats_changes (an insert, no row shared with anyone), and
-- hookline_stats_fold moves those changes into the endpoint's minute, hour and day rows in one
-- transaction, as it does the tenant's. Readers add the changes not folded yet, so an endpoint's figures
-- are exact at any moment, as a tenant's are. A deletion's decrements are changes like any other; the
-- fold adds them to rows that are still there and drops them for rows that are gone (taken by the
-- retention purge), as the delete trigger did before: a row is never made to count less than nothing.
-- Writers of deliveries and attempts wait until this migration commits, as in 023.
LOCK TABLE deliveries, attempts IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE delivery_stats_changes (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id       text NOT NULL,
  endpoint_id     text NOT NULL,
  minute          timestamptz NOT NULL,
  pending         integer NOT NULL DEFAULT 0,
  success         integer NOT NULL DEFAULT 0,
  failed          integer NOT NULL DEFAULT 0,
  skipped         integer NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  latency         integer[] NOT NULL DEFAULT '{}',
  last_success_at timestamptz,
  last_failure_at timestamptz
);
-- No foreign key: a change made while its endpoint is deleted is dropped by the fold, not refused.
CREATE INDEX delivery_stats_changes_tenant ON delivery_stats_changes (tenant_id, minute);
CREATE INDEX delivery_stats_changes_endpoint ON delivery_stats_changes (endpoint_id, minute);

ALTER TABLE delivery_stats_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_stats_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON delivery_stats_changes TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
CREATE POLICY definer_rollup ON delivery_stats_changes TO hookline_definer USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON delivery_stats_changes TO hookline_definer;
-- Tenants read their changes; only the triggers and the fold write them.
GRANT SELECT ON delivery_stats_changes TO hookline_app;

-- A statement's count changes: appended per endpoint and minute, and per tenant and minute (023).
CREATE OR REPLACE FUNCTION hookline_stats_add(changes hookline_stats_change[]) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO public.delivery_stats_changes (tenant_id, endpoint_id, minute, pending, success, failed, skipped, attempts, last_success_at, last_failure_at)
  SELECT c.tenant_id, c.endpoint_id, c.minute, c.pending, c.success, c.failed, c.skipped, c.attempts, c.last_success_at, c.last_failure_at
  FROM unnest(changes) c
  WHERE c.pending <> 0 OR c.success <> 0 OR c.failed <> 0 OR c.skipped <> 0 OR c.attempts <> 0
    OR c.last_success_at IS NOT NULL OR c.last_failure_at IS NOT NULL;
  INSERT INTO public.delivery_stats_by_tenant_changes (tenant_id, minute, pending, success, failed, skipped, attempts)
  SELECT c.tenant_id, c.minute, sum(c.pending), sum(c.success), sum(c.failed), sum(c.skipped), sum(c.attempts)
  FROM unnest(changes) c GROUP BY 1, 2
  HAVING sum(c.pending) <> 0 OR sum(c.success) <> 0 OR sum(c.failed) <> 0 OR sum(c.skipped) <> 0 OR sum(c.attempts) <> 0;
END
$$;

-- Deletions: their decrements appended like every other change (the fold adds them to the rows).
CREATE OR REPLACE FUNCTION hookline_delivery_stats_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM public.hookline_stats_add(array(
    SELECT row(o.tenant_id, o.endpoint_id, date_trunc('minute', o.created_at, 'UTC'),
      -count(*) FILTER (WHERE o.status = 'pending')::int, -count(*) FILTER (WHERE o.status = 'success')::int,
      -count(*) FILTER (WHERE o.status = 'failed')::int, -count(*) FILTER (WHERE o.status = 'skipped')::int,
      -coalesce(sum(o.attempt_count), 0)::int, NULL::timestamptz, NULL::timestamptz)::public.hookline_stats_change
    FROM old_rows o GROUP BY o.tenant_id, o.endpoint_id, date_trunc('minute', o.created_at, 'UTC')));
  RETURN NULL;
END
$$;

-- Attempts: each delivery minute's latency histogram appended for its endpoint and for its tenant
-- (dense from bucket 1, as in 013); the fold adds it to the minute, hour and day rows.
CREATE OR REPLACE FUNCTION hookline_attempt_stats_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  changes public.hookline_latency_change[];
BEGIN
  changes := array(
    SELECT row(l.unit, l.tenant_id, l.endpoint_id, l.at,
      (SELECT array_agg(coalesce(c.n, 0) ORDER BY i) FROM generate_series(1, l.top) i
         LEFT JOIN unnest(l.buckets, l.counts) AS c(b, n) ON c.b = i))::public.hookline_latency_change
    FROM (
      SELECT b.unit, b.tenant_id, b.endpoint_id, b.at, max(b.bucket) AS top, array_agg(b.bucket) AS buckets, array_agg(b.n) AS counts
      FROM (
        SELECT u.unit, d.tenant_id, CASE WHEN u.unit = 'tenant' THEN '' ELSE d.endpoint_id END AS endpoint_id,
          date_trunc('minute', d.created_at, 'UTC') AS at, public.hookline_latency_bucket(n.duration_ms) AS bucket, count(*)::int AS n
        FROM new_rows n JOIN public.deliveries d ON d.tenant_id = n.tenant_id AND d.id = n.delivery_id
        CROSS JOIN (VALUES ('endpoint'), ('tenant')) AS u(unit)
        GROUP BY 1, 2, 3, 4, 5
      ) b GROUP BY 1, 2, 3, 4
    ) l);
  INSERT INTO public.delivery_stats_changes (tenant_id, endpoint_id, minute, latency)
  SELECT c.tenant_id, c.endpoint_id, c.at, c.latency FROM unnest(changes) c WHERE c.unit = 'endpoint';
  INSERT INTO public.delivery_stats_by_tenant_changes (tenant_id, minute, latency)
  SELECT c.tenant_id, c.at, c.latency FROM unnest(changes) c WHERE c.unit = 'tenant';
  RETURN NULL;
END
$$;

-- 023's fold, now the tenant half of hookline_stats_fold: called by it as hookline_definer, and nobody else may.
ALTER FUNCTION hookline_stats_fold(integer) RENAME TO hookline_stats_fold_tenants;
ALTER FUNCTION hookline_stats_fold_tenants(integer) SECURITY INVOKER;
REVOKE ALL ON FUNCTION hookline_stats_fold_tenants(integer) FROM PUBLIC, hookline_app;

-- Moves up to max_rows of the endpoint log's oldest changes into their endpoint's minute, hour and day
-- rows; returns how many it moved. One fold at a time (a fold that finds another under way leaves the
-- log to it), so two folds never take the same rows in different orders. Changes of an endpoint that no
-- longer exists are dropped, and so are changes that take counts away from a row that is gone. Both are
-- folded after every change before them: a delivery's deletion comes after its insert committed.
-- Not a definer function itself: hookline_stats_fold calls it as hookline_definer, and nobody else may.
CREATE FUNCTION hookline_stats_fold_endpoints(max_rows integer) RETURNS integer
  LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
  moved integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('hookline_stats_fold_endpoints')) THEN
    RETURN 0;
  END IF;
  WITH taken AS (
    DELETE FROM public.delivery_stats_changes c
    WHERE c.id IN (SELECT x.id FROM public.delivery_stats_changes x ORDER BY x.id LIMIT max_rows)
    RETURNING c.*
  ), grains AS (
    SELECT t.tenant_id, t.endpoint_id, u.unit, date_trunc(u.unit, t.minute, 'UTC') AS at, t.pending, t.success, t.failed, t.skipped,
      t.attempts, t.latency, t.last_success_at, t.last_failure_at
    FROM taken t CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS u(unit)
    WHERE EXISTS (SELECT 1 FROM public.endpoints e WHERE e.tenant_id = t.tenant_id AND e.id = t.endpoint_id)
  ), counts AS (
    SELECT g.tenant_id, g.endpoint_id, g.unit, g.at, sum(g.pending)::int AS pending, sum(g.success)::int AS success,
      sum(g.failed)::int AS failed, sum(g.skipped)::int AS skipped, sum(g.attempts)::int AS attempts,
      max(g.last_success_at) AS last_success_at, max(g.last_failure_at) AS last_failure_at
    FROM grains g GROUP BY 1, 2, 3, 4
  ), latency AS (
    SELECT x.endpoint_id, x.unit, x.at, array_agg(x.n ORDER BY x.k) AS latency
    FROM (
      SELECT g.endpoint_id, g.unit, g.at, b.k, sum(b.n)::int AS n
      FROM grains g CROSS JOIN LATERAL unnest(g.latency) WITH ORDINALITY AS b(n, k) GROUP BY 1, 2, 3, 4
    ) x GROUP BY 1, 2, 3
  ), folded AS (
    SELECT c.*, coalesce(l.latency, '{}') AS latency,
      c.pending >= 0 AND c.success >= 0 AND c.failed >= 0 AND c.skipped >= 0 AND c.attempts >= 0 AS adds_only
    FROM counts c LEFT JOIN latency l ON l.endpoint_id = c.endpoint_id AND l.unit = c.unit AND l.at = c.at
  ), day_rows AS (
    INSERT INTO public.delivery_stats_daily AS s (tenant_id, endpoint_id, day, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
    SELECT f.tenant_id, f.endpoint_id, f.at, f.pending, f.success, f.failed, f.skipped, f.attempts, f.latency, f.last_success_at, f.last_failure_at
    FROM folded f WHERE f.unit = 'day' AND (f.adds_only OR EXISTS (SELECT 1 FROM public.delivery_stats_daily x WHERE x.endpoint_id = f.endpoint_id AND x.day = f.at))
    ORDER BY f.endpoint_id, f.at
    ON CONFLICT (endpoint_id, day) DO UPDATE SET
      pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
      skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
      latency = coalesce((SELECT array_agg(coalesce(s.latency[i], 0) + coalesce(excluded.latency[i], 0) ORDER BY i)
                          FROM generate_series(1, greatest(cardinality(s.latency), cardinality(excluded.latency))) i), '{}'),
      last_success_at = greatest(s.last_success_at, excluded.last_success_at),
      last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at)
    RETURNING 1
  ), hour_rows AS (
    INSERT INTO public.delivery_stats_hourly AS s (tenant_id, endpoint_id, hour, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
    SELECT f.tenant_id, f.endpoint_id, f.at, f.pending, f.success, f.failed, f.skipped, f.attempts, f.latency, f.last_success_at, f.last_failure_at
    FROM folded f WHERE f.unit = 'hour' AND (f.adds_only OR EXISTS (SELECT 1 FROM public.delivery_stats_hourly x WHERE x.endpoint_id = f.endpoint_id AND x.hour = f.at))
    ORDER BY f.endpoint_id, f.at
    ON CONFLICT (endpoint_id, hour) DO UPDATE SET
      pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
      skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
      latency = coalesce((SELECT array_agg(coalesce(s.latency[i], 0) + coalesce(excluded.latency[i], 0) ORDER BY i)
                          FROM generate_series(1, greatest(cardinality(s.latency), cardinality(excluded.latency))) i), '{}'),
      last_success_at = greatest(s.last_success_at, excluded.last_success_at),
      last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at)
    RETURNING 1
  ), minute_rows AS (
    INSERT INTO public.delivery_stats AS s (tenant_id, endpoint_id, minute, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
    SELECT f.tenant_id, f.endpoint_id, f.at, f.pending, f.success, f.failed, f.skipped, f.attempts, f.latency, f.last_success_at, f.last_failure_at
    FROM folded f WHERE f.unit = 'minute' AND (f.adds_only OR EXISTS (SELECT 1 FROM public.delivery_stats x WHERE x.endpoint_id = f.endpoint_id AND x.minute = f.at))
    ORDER BY f.endpoint_id, f.at
    ON CONFLICT (endpoint_id, minute) DO UPDATE SET
      pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
      skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
      latency = coalesce((SELECT array_agg(coalesce(s.latency[i], 0) + coalesce(excluded.latency[i], 0) ORDER BY i)
                          FROM generate_series(1, greatest(cardinality(s.latency), cardinality(excluded.latency))) i), '{}'),
      last_success_at = greatest(s.last_success_at, excluded.last_success_at),
      last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at)
    RETURNING 1
  )
  SELECT count(*) INTO moved FROM taken;
  RETURN moved;
END
$$;

-- Both logs in one transaction; how many changes it moved.
CREATE FUNCTION hookline_stats_fold(max_rows integer) RETURNS integer
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT public.hookline_stats_fold_tenants(max_rows) + public.hookline_stats_fold_endpoints(max_rows)
$$;

-- 013's operator views, with the changes not folded yet.
CREATE OR REPLACE FUNCTION hookline_admin_throughput(since timestamptz)
  RETURNS TABLE (minute timestamptz, pending bigint, success bigint, failed bigint, skipped bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT x.minute, sum(x.pending), sum(x.success), sum(x.failed), sum(x.skipped)
  FROM (
    SELECT s.minute, s.pending, s.success, s.failed, s.skipped FROM public.delivery_stats s WHERE s.minute >= hookline_admin_throughput.since
    UNION ALL
    SELECT c.minute, c.pending, c.success, c.failed, c.skipped FROM public.delivery_stats_changes c WHERE c.minute >= hookline_admin_throughput.since
  ) x GROUP BY 1 ORDER BY 1
$$;

CREATE OR REPLACE FUNCTION hookline_admin_failing_endpoints(since timestamptz, max_rows integer)
  RETURNS TABLE (id text, tenant_id text, url text, enabled boolean, consecutive_failures integer, failed bigint, success bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.id, e.tenant_id, e.url, e.enabled, e.consecutive_failures, f.failed, f.success
  FROM (
    SELECT x.endpoint_id, sum(x.failed) AS failed, sum(x.success) AS success
    FROM (
      SELECT s.endpoint_id, s.failed, s.success FROM public.delivery_stats s
      WHERE s.minute >= hookline_admin_failing_endpoints.since AND s.minute < public.hookline_next_hour(hookline_admin_failing_endpoints.since)
      UNION ALL
      SELECT s.endpoint_id, s.failed, s.success FROM public.delivery_stats_hourly s
      WHERE s.hour >= public.hookline_next_hour(hookline_admin_failing_endpoints.since)
      UNION ALL
      SELECT c.endpoint_id, c.failed, c.success FROM public.delivery_stats_changes c
      WHERE c.minute >= hookline_admin_failing_endpoints.since
    ) x GROUP BY 1 HAVING sum(x.failed) > 0
  ) f
  JOIN public.endpoints e ON e.id = f.endpoint_id
  ORDER BY f.failed DESC, e.id LIMIT max_rows
$$;

DO $$
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  ALTER FUNCTION hookline_stats_fold_endpoints(integer) OWNER TO hookline_definer;
  ALTER FUNCTION hookline_stats_fold(integer) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_stats_fold_endpoints(integer) FROM PUBLIC;
  REVOKE ALL ON FUNCTION hookline_stats_fold(integer) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION hookline_stats_fold(integer) TO hookline_app;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
