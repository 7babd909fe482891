-- Delivery statistics per tenant. A tenant's range read from the endpoint levels (021) adds up a row per
-- endpoint and day, hour or ragged minute: some 4,000 rows with a histogram each for 50 endpoints over
-- 30 days. The same figures per tenant are a few rows per range.
--
-- A row per tenant and minute written by every recorded attempt would be a lock that all of a tenant's
-- deliveries queue on. So the triggers only append each statement's changes to
-- delivery_stats_by_tenant_changes (an insert, no row shared with anyone), and hookline_stats_fold, run by
-- the workers every second or so, moves them into delivery_stats_by_tenant in one transaction: a reader's
-- snapshot sees every change either still in the log or already folded, never both or neither, so a
-- tenant's figures are exact at any moment. Folding is all the contention there is, and it is one
-- statement per batch of changes, not one per attempt.
--
-- delivery_stats_by_tenant counts what the deliveries that exist count, as the endpoint levels do, and
-- keeps the latency of deleted deliveries' attempts until its row goes (retention), as they do. Its
-- minute, hour and day rows of a tenant hold the same figures, at three grains.
-- Writers of deliveries and attempts wait until this migration commits (readers do not): a change
-- committed after the fill below read the minute rows but made by the old triggers would be in the
-- endpoints' rows and never in the tenant's.
LOCK TABLE deliveries, attempts IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE delivery_stats_by_tenant (
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  unit       text NOT NULL CHECK (unit IN ('minute', 'hour', 'day')),
  at         timestamptz NOT NULL,
  pending    integer NOT NULL DEFAULT 0,
  success    integer NOT NULL DEFAULT 0,
  failed     integer NOT NULL DEFAULT 0,
  skipped    integer NOT NULL DEFAULT 0,
  attempts   integer NOT NULL DEFAULT 0,
  latency    integer[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, unit, at)
);

-- Changes not folded yet, at the minute of the deliveries they count. No foreign key: a change made
-- while its tenant is deleted is dropped by the fold, not refused.
CREATE TABLE delivery_stats_by_tenant_changes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  text NOT NULL,
  minute     timestamptz NOT NULL,
  pending    integer NOT NULL DEFAULT 0,
  success    integer NOT NULL DEFAULT 0,
  failed     integer NOT NULL DEFAULT 0,
  skipped    integer NOT NULL DEFAULT 0,
  attempts   integer NOT NULL DEFAULT 0,
  latency    integer[] NOT NULL DEFAULT '{}'
);
CREATE INDEX delivery_stats_by_tenant_changes_tenant ON delivery_stats_by_tenant_changes (tenant_id, minute);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['delivery_stats_by_tenant', 'delivery_stats_by_tenant_changes'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO hookline_app USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant())', t);
    EXECUTE format('CREATE POLICY definer_rollup ON %I TO hookline_definer USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO hookline_definer', t);
  END LOOP;
END
$$;
-- Tenants read their figures and the retention purge deletes them; only the triggers and the fold write.
GRANT SELECT, DELETE ON delivery_stats_by_tenant TO hookline_app;
GRANT SELECT ON delivery_stats_by_tenant_changes TO hookline_app;

-- The counts of a statement's changes (021), also appended per tenant and minute.
CREATE OR REPLACE FUNCTION hookline_stats_add(changes hookline_stats_change[]) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO public.delivery_stats_daily AS s (tenant_id, endpoint_id, day, pending, success, failed, skipped, attempts, last_success_at, last_failure_at)
  SELECT c.tenant_id, c.endpoint_id, date_trunc('day', c.minute, 'UTC'),
    sum(c.pending), sum(c.success), sum(c.failed), sum(c.skipped), sum(c.attempts), max(c.last_success_at), max(c.last_failure_at)
  FROM unnest(changes) c GROUP BY 1, 2, 3 ORDER BY 2, 3
  ON CONFLICT (endpoint_id, day) DO UPDATE SET
    pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
    skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
    last_success_at = greatest(s.last_success_at, excluded.last_success_at),
    last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at);
  INSERT INTO public.delivery_stats_hourly AS s (tenant_id, endpoint_id, hour, pending, success, failed, skipped, attempts, last_success_at, last_failure_at)
  SELECT c.tenant_id, c.endpoint_id, date_trunc('hour', c.minute, 'UTC'),
    sum(c.pending), sum(c.success), sum(c.failed), sum(c.skipped), sum(c.attempts), max(c.last_success_at), max(c.last_failure_at)
  FROM unnest(changes) c GROUP BY 1, 2, 3 ORDER BY 2, 3
  ON CONFLICT (endpoint_id, hour) DO UPDATE SET
    pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
    skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
    last_success_at = greatest(s.last_success_at, excluded.last_success_at),
    last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at);
  INSERT INTO public.delivery_stats AS s (tenant_id, endpoint_id, minute, pending, success, failed, skipped, attempts, last_success_at, last_failure_at)
  SELECT c.tenant_id, c.endpoint_id, c.minute, c.pending, c.success, c.failed, c.skipped, c.attempts, c.last_success_at, c.last_failure_at
  FROM unnest(changes) c ORDER BY c.endpoint_id, c.minute
  ON CONFLICT (endpoint_id, minute) DO UPDATE SET
    pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
    skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
    last_success_at = greatest(s.last_success_at, excluded.last_success_at),
    last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at);
  INSERT INTO public.delivery_stats_by_tenant_changes (tenant_id, minute, pending, success, failed, skipped, attempts)
  SELECT c.tenant_id, c.minute, sum(c.pending), sum(c.success), sum(c.failed), sum(c.skipped), sum(c.attempts)
  FROM unnest(changes) c GROUP BY 1, 2
  HAVING sum(c.pending) <> 0 OR sum(c.success) <> 0 OR sum(c.failed) <> 0 OR sum(c.skipped) <> 0 OR sum(c.attempts) <> 0;
END
$$;

-- 021's delete trigger, its decrements also appended per tenant and minute (all of them: the tenant's
-- rows are not removed with an endpoint's, so they are always there to decrement).
CREATE OR REPLACE FUNCTION hookline_delivery_stats_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  changes public.hookline_stats_change[];
BEGIN
  changes := array(
    SELECT row(o.tenant_id, o.endpoint_id, date_trunc('minute', o.created_at, 'UTC'),
      count(*) FILTER (WHERE o.status = 'pending')::int, count(*) FILTER (WHERE o.status = 'success')::int,
      count(*) FILTER (WHERE o.status = 'failed')::int, count(*) FILTER (WHERE o.status = 'skipped')::int,
      coalesce(sum(o.attempt_count), 0)::int, NULL::timestamptz, NULL::timestamptz)::public.hookline_stats_change
    FROM old_rows o GROUP BY o.tenant_id, o.endpoint_id, date_trunc('minute', o.created_at, 'UTC'));
  UPDATE public.delivery_stats_daily s SET
    pending = s.pending - g.pending, success = s.success - g.success, failed = s.failed - g.failed,
    skipped = s.skipped - g.skipped, attempts = s.attempts - g.attempts
  FROM (
    SELECT c.endpoint_id, date_trunc('day', c.minute, 'UTC') AS day, sum(c.pending) AS pending, sum(c.success) AS success,
      sum(c.failed) AS failed, sum(c.skipped) AS skipped, sum(c.attempts) AS attempts
    FROM unnest(changes) c GROUP BY 1, 2
  ) g
  WHERE s.endpoint_id = g.endpoint_id AND s.day = g.day;
  UPDATE public.delivery_stats_hourly s SET
    pending = s.pending - g.pending, success = s.success - g.success, failed = s.failed - g.failed,
    skipped = s.skipped - g.skipped, attempts = s.attempts - g.attempts
  FROM (
    SELECT c.endpoint_id, date_trunc('hour', c.minute, 'UTC') AS hour, sum(c.pending) AS pending, sum(c.success) AS success,
      sum(c.failed) AS failed, sum(c.skipped) AS skipped, sum(c.attempts) AS attempts
    FROM unnest(changes) c GROUP BY 1, 2
  ) g
  WHERE s.endpoint_id = g.endpoint_id AND s.hour = g.hour;
  UPDATE public.delivery_stats s SET
    pending = s.pending - c.pending, success = s.success - c.success, failed = s.failed - c.failed,
    skipped = s.skipped - c.skipped, attempts = s.attempts - c.attempts
  FROM unnest(changes) c
  WHERE s.endpoint_id = c.endpoint_id AND s.minute = c.minute;
  INSERT INTO public.delivery_stats_by_tenant_changes (tenant_id, minute, pending, success, failed, skipped, attempts)
  SELECT c.tenant_id, c.minute, -sum(c.pending), -sum(c.success), -sum(c.failed), -sum(c.skipped), -sum(c.attempts)
  FROM unnest(changes) c GROUP BY 1, 2;
  RETURN NULL;
END
$$;

-- 021's attempt trigger, with a fourth grain: the tenant's minute, appended as a change.
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
          date_trunc(CASE WHEN u.unit = 'tenant' THEN 'minute' ELSE u.unit END, d.created_at, 'UTC') AS at,
          public.hookline_latency_bucket(n.duration_ms) AS bucket, count(*)::int AS n
        FROM new_rows n JOIN public.deliveries d ON d.tenant_id = n.tenant_id AND d.id = n.delivery_id
        CROSS JOIN (VALUES ('day'), ('hour'), ('minute'), ('tenant')) AS u(unit)
        GROUP BY 1, 2, 3, 4, 5
      ) b GROUP BY 1, 2, 3, 4
    ) l);
  INSERT INTO public.delivery_stats_daily AS s (tenant_id, endpoint_id, day, latency)
  SELECT c.tenant_id, c.endpoint_id, c.at, c.latency FROM unnest(changes) c WHERE c.unit = 'day' ORDER BY c.endpoint_id, c.at
  ON CONFLICT (endpoint_id, day) DO UPDATE SET latency = (
    SELECT array_agg(coalesce(s.latency[i], 0) + coalesce(excluded.latency[i], 0) ORDER BY i)
    FROM generate_series(1, greatest(cardinality(s.latency), cardinality(excluded.latency))) i);
  INSERT INTO public.delivery_stats_hourly AS s (tenant_id, endpoint_id, hour, latency)
  SELECT c.tenant_id, c.endpoint_id, c.at, c.latency FROM unnest(changes) c WHERE c.unit = 'hour' ORDER BY c.endpoint_id, c.at
  ON CONFLICT (endpoint_id, hour) DO UPDATE SET latency = (
    SELECT array_agg(coalesce(s.latency[i], 0) + coalesce(excluded.latency[i], 0) ORDER BY i)
    FROM generate_series(1, greatest(cardinality(s.latency), cardinality(excluded.latency))) i);
  INSERT INTO public.delivery_stats AS s (tenant_id, endpoint_id, minute, latency)
  SELECT c.tenant_id, c.endpoint_id, c.at, c.latency FROM unnest(changes) c WHERE c.unit = 'minute' ORDER BY c.endpoint_id, c.at
  ON CONFLICT (endpoint_id, minute) DO UPDATE SET latency = (
    SELECT array_agg(coalesce(s.latency[i], 0) + coalesce(excluded.latency[i], 0) ORDER BY i)
    FROM generate_series(1, greatest(cardinality(s.latency), cardinality(excluded.latency))) i);
  INSERT INTO public.delivery_stats_by_tenant_changes (tenant_id, minute, latency)
  SELECT c.tenant_id, c.at, c.latency FROM unnest(changes) c WHERE c.unit = 'tenant';
  RETURN NULL;
END
$$;

-- Moves up to max_rows of the oldest changes into delivery_stats_by_tenant (each at its minute, hour and
-- day), in one transaction; returns how many it moved. Concurrent folds take different changes (SKIP
-- LOCKED) and upsert in key order. Changes of a tenant that no longer exists are dropped. Histograms are
-- dense from bucket 1, so the buckets summed are too.
CREATE FUNCTION hookline_stats_fold(max_rows integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  moved integer;
BEGIN
  WITH taken AS (
    DELETE FROM public.delivery_stats_by_tenant_changes c
    WHERE c.id IN (SELECT x.id FROM public.delivery_stats_by_tenant_changes x ORDER BY x.id LIMIT max_rows FOR UPDATE SKIP LOCKED)
    RETURNING c.*
  ), grains AS (
    SELECT t.tenant_id, u.unit, date_trunc(u.unit, t.minute, 'UTC') AS at, t.pending, t.success, t.failed, t.skipped, t.attempts, t.latency
    FROM taken t CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS u(unit)
    WHERE EXISTS (SELECT 1 FROM public.tenants x WHERE x.id = t.tenant_id)
  ), counts AS (
    SELECT g.tenant_id, g.unit, g.at, sum(g.pending)::int AS pending, sum(g.success)::int AS success, sum(g.failed)::int AS failed,
      sum(g.skipped)::int AS skipped, sum(g.attempts)::int AS attempts
    FROM grains g GROUP BY 1, 2, 3
  ), latency AS (
    SELECT x.tenant_id, x.unit, x.at, array_agg(x.n ORDER BY x.k) AS latency
    FROM (
      SELECT g.tenant_id, g.unit, g.at, b.k, sum(b.n)::int AS n
      FROM grains g CROSS JOIN LATERAL unnest(g.latency) WITH ORDINALITY AS b(n, k) GROUP BY 1, 2, 3, 4
    ) x GROUP BY 1, 2, 3
  ), upserted AS (
    INSERT INTO public.delivery_stats_by_tenant AS s (tenant_id, unit, at, pending, success, failed, skipped, attempts, latency)
    SELECT c.tenant_id, c.unit, c.at, c.pending, c.success, c.failed, c.skipped, c.attempts, coalesce(l.latency, '{}')
    FROM counts c LEFT JOIN latency l ON l.tenant_id = c.tenant_id AND l.unit = c.unit AND l.at = c.at
    ORDER BY c.tenant_id, c.unit, c.at
    ON CONFLICT (tenant_id, unit, at) DO UPDATE SET
      pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
      skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
      latency = coalesce((SELECT array_agg(coalesce(s.latency[i], 0) + coalesce(excluded.latency[i], 0) ORDER BY i)
                          FROM generate_series(1, greatest(cardinality(s.latency), cardinality(excluded.latency))) i), '{}')
    RETURNING 1
  )
  SELECT count(*) INTO moved FROM taken;
  RETURN moved;
END
$$;

-- The figures already counted: every endpoint minute row as a change, folded at once (the fold sums
-- them per tenant at the three grains, as it will every change from now on).
INSERT INTO delivery_stats_by_tenant_changes (tenant_id, minute, pending, success, failed, skipped, attempts, latency)
SELECT tenant_id, minute, pending, success, failed, skipped, attempts, latency FROM delivery_stats;
SELECT hookline_stats_fold(2147483647);

DO $$
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  ALTER FUNCTION hookline_stats_fold(integer) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_stats_fold(integer) FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION hookline_stats_fold(integer) TO hookline_app;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
