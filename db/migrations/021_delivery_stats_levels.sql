-- Delivery statistics, coarser levels: the same figures per endpoint and hour, and per endpoint and day
-- (UTC), so a range reads its whole days from delivery_stats_daily, the whole hours of its ragged ends
-- from delivery_stats_hourly, and only its ragged minutes from delivery_stats (013). Where deliveries
-- are spread (a few a minute per endpoint) the minute level holds about one row per delivery; a
-- tenant's 30 days are then as many rows as deliveries, against 30 day rows per endpoint here.
--
-- An hour row is the sum of the minute rows of its hour, and a day row of its day, column by column
-- (latency element-wise, the last_* times their greatest): the same triggers write all three, in the
-- same statement's transaction, from the same per-minute changes. So a range's figures are the same
-- whichever level answers for a part of it, and still agree exactly with the delivery log for the range.
CREATE TABLE delivery_stats_hourly (
  tenant_id       text NOT NULL,
  endpoint_id     text NOT NULL,
  hour            timestamptz NOT NULL,
  pending         integer NOT NULL DEFAULT 0,
  success         integer NOT NULL DEFAULT 0,
  failed          integer NOT NULL DEFAULT 0,
  skipped         integer NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  latency         integer[] NOT NULL DEFAULT '{}',
  last_success_at timestamptz,
  last_failure_at timestamptz,
  PRIMARY KEY (endpoint_id, hour),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX delivery_stats_hourly_tenant ON delivery_stats_hourly (tenant_id, hour);

ALTER TABLE delivery_stats_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_stats_hourly FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON delivery_stats_hourly TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, DELETE ON delivery_stats_hourly TO hookline_app;
GRANT SELECT, INSERT, UPDATE ON delivery_stats_hourly TO hookline_definer;
CREATE POLICY definer_rollup ON delivery_stats_hourly TO hookline_definer USING (true) WITH CHECK (true);

CREATE TABLE delivery_stats_daily (
  tenant_id       text NOT NULL,
  endpoint_id     text NOT NULL,
  day             timestamptz NOT NULL,
  pending         integer NOT NULL DEFAULT 0,
  success         integer NOT NULL DEFAULT 0,
  failed          integer NOT NULL DEFAULT 0,
  skipped         integer NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  latency         integer[] NOT NULL DEFAULT '{}',
  last_success_at timestamptz,
  last_failure_at timestamptz,
  PRIMARY KEY (endpoint_id, day),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX delivery_stats_daily_tenant ON delivery_stats_daily (tenant_id, day);

ALTER TABLE delivery_stats_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_stats_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON delivery_stats_daily TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, DELETE ON delivery_stats_daily TO hookline_app;
GRANT SELECT, INSERT, UPDATE ON delivery_stats_daily TO hookline_definer;
CREATE POLICY definer_rollup ON delivery_stats_daily TO hookline_definer USING (true) WITH CHECK (true);

-- The first whole hour (UTC) at or after t.
CREATE FUNCTION hookline_next_hour(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT date_trunc('hour', t - interval '1 microsecond', 'UTC') + interval '1 hour'
$$;

-- One change to the rollup's counts: what a statement adds to (or, negated, takes from) one endpoint's minute.
CREATE TYPE hookline_stats_change AS (
  tenant_id text, endpoint_id text, minute timestamptz,
  pending integer, success integer, failed integer, skipped integer, attempts integer,
  last_success_at timestamptz, last_failure_at timestamptz
);

-- Adds a statement's count changes to the three levels. The day rows are taken first, then the hour rows,
-- then the minute rows, each in key order: a finer row is only ever locked by a transaction that holds
-- the coarser rows over it, so two transactions wait on day rows only, in the order they take them, as
-- they waited on minute rows before.
-- Not a definer function itself: the triggers call it as hookline_definer, and nobody else may.
CREATE FUNCTION hookline_stats_add(changes hookline_stats_change[]) RETURNS void
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
END
$$;

-- The triggers of 013, now writing their changes through hookline_stats_add (same changes as before).
CREATE OR REPLACE FUNCTION hookline_delivery_stats_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM public.hookline_stats_add(array(
    SELECT row(n.tenant_id, n.endpoint_id, date_trunc('minute', n.created_at, 'UTC'),
      count(*) FILTER (WHERE n.status = 'pending')::int, count(*) FILTER (WHERE n.status = 'success')::int,
      count(*) FILTER (WHERE n.status = 'failed')::int, count(*) FILTER (WHERE n.status = 'skipped')::int,
      coalesce(sum(n.attempt_count), 0)::int,
      max(coalesce(n.last_attempt_at, n.updated_at)) FILTER (WHERE n.status = 'success'),
      max(coalesce(n.last_attempt_at, n.updated_at)) FILTER (WHERE n.status = 'failed'))::public.hookline_stats_change
    FROM new_rows n GROUP BY n.tenant_id, n.endpoint_id, date_trunc('minute', n.created_at, 'UTC')));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION hookline_delivery_stats_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM public.hookline_stats_add(array(
    SELECT row(v.tenant_id, v.endpoint_id, date_trunc('minute', v.created_at, 'UTC'),
      coalesce(sum(v.sign) FILTER (WHERE v.status = 'pending'), 0)::int, coalesce(sum(v.sign) FILTER (WHERE v.status = 'success'), 0)::int,
      coalesce(sum(v.sign) FILTER (WHERE v.status = 'failed'), 0)::int, coalesce(sum(v.sign) FILTER (WHERE v.status = 'skipped'), 0)::int,
      coalesce(sum(v.sign * v.attempt_count), 0)::int,
      max(v.at) FILTER (WHERE v.sign = 1 AND v.status = 'success'),
      max(v.at) FILTER (WHERE v.sign = 1 AND v.status = 'failed'))::public.hookline_stats_change
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES
      (o.tenant_id, o.endpoint_id, o.created_at, o.status, o.attempt_count, -1, NULL::timestamptz),
      (n.tenant_id, n.endpoint_id, n.created_at, n.status, n.attempt_count, 1, coalesce(n.last_attempt_at, n.updated_at))
    ) AS v(tenant_id, endpoint_id, created_at, status, attempt_count, sign, at)
    WHERE (o.status, o.attempt_count, date_trunc('minute', o.created_at, 'UTC'), o.endpoint_id)
      IS DISTINCT FROM (n.status, n.attempt_count, date_trunc('minute', n.created_at, 'UTC'), n.endpoint_id)
    GROUP BY v.tenant_id, v.endpoint_id, date_trunc('minute', v.created_at, 'UTC')));
  RETURN NULL;
END
$$;

-- Only rows still there are decremented (013), at each level, coarsest first as in hookline_stats_add.
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
  RETURN NULL;
END
$$;

-- One latency change: a histogram to add to one endpoint's day, hour or minute.
CREATE TYPE hookline_latency_change AS (unit text, tenant_id text, endpoint_id text, at timestamptz, latency integer[]);

-- Latency goes to the minute of the attempt's delivery, like its other figures, and to its hour and day:
-- each level's histogram is counted from the attempts directly (dense from bucket 1, as in 013), then
-- added day, hour, minute as the counts are. The element-wise sum is hookline_hist_add written out: a
-- SQL function that cannot be inlined is planned again at each call, three times per recorded attempt here.
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
        SELECT u.unit, d.tenant_id, d.endpoint_id, date_trunc(u.unit, d.created_at, 'UTC') AS at,
          public.hookline_latency_bucket(n.duration_ms) AS bucket, count(*)::int AS n
        FROM new_rows n JOIN public.deliveries d ON d.tenant_id = n.tenant_id AND d.id = n.delivery_id
        CROSS JOIN (VALUES ('day'), ('hour'), ('minute')) AS u(unit)
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
  RETURN NULL;
END
$$;

-- The hours already counted, from their minutes.
INSERT INTO delivery_stats_hourly (tenant_id, endpoint_id, hour, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
SELECT c.tenant_id, c.endpoint_id, c.hour, c.pending, c.success, c.failed, c.skipped, c.attempts, coalesce(l.latency, '{}'), c.last_success_at, c.last_failure_at
FROM (
  SELECT s.tenant_id, s.endpoint_id, date_trunc('hour', s.minute, 'UTC') AS hour, sum(s.pending) AS pending, sum(s.success) AS success,
    sum(s.failed) AS failed, sum(s.skipped) AS skipped, sum(s.attempts) AS attempts,
    max(s.last_success_at) AS last_success_at, max(s.last_failure_at) AS last_failure_at
  FROM delivery_stats s GROUP BY 1, 2, 3
) c
LEFT JOIN (
  -- Every histogram is dense from index 1, so the indexes summed are too.
  SELECT x.endpoint_id, x.hour, array_agg(x.n ORDER BY x.k) AS latency
  FROM (
    SELECT s.endpoint_id, date_trunc('hour', s.minute, 'UTC') AS hour, u.k, sum(u.n)::int AS n
    FROM delivery_stats s CROSS JOIN LATERAL unnest(s.latency) WITH ORDINALITY AS u(n, k) GROUP BY 1, 2, 3
  ) x GROUP BY 1, 2
) l ON l.endpoint_id = c.endpoint_id AND l.hour = c.hour;

-- The days already counted, from their minutes.
INSERT INTO delivery_stats_daily (tenant_id, endpoint_id, day, pending, success, failed, skipped, attempts, latency, last_success_at, last_failure_at)
SELECT c.tenant_id, c.endpoint_id, c.day, c.pending, c.success, c.failed, c.skipped, c.attempts, coalesce(l.latency, '{}'), c.last_success_at, c.last_failure_at
FROM (
  SELECT s.tenant_id, s.endpoint_id, date_trunc('day', s.minute, 'UTC') AS day, sum(s.pending) AS pending, sum(s.success) AS success,
    sum(s.failed) AS failed, sum(s.skipped) AS skipped, sum(s.attempts) AS attempts,
    max(s.last_success_at) AS last_success_at, max(s.last_failure_at) AS last_failure_at
  FROM delivery_stats s GROUP BY 1, 2, 3
) c
LEFT JOIN (
    SELECT x.endpoint_id, x.day, array_agg(x.n ORDER BY x.k) AS latency
  FROM (
    SELECT s.endpoint_id, date_trunc('day', s.minute, 'UTC') AS day, u.k, sum(u.n)::int AS n
    FROM delivery_stats s CROSS JOIN LATERAL unnest(s.latency) WITH ORDINALITY AS u(n, k) GROUP BY 1, 2, 3
  ) x GROUP BY 1, 2
) l ON l.endpoint_id = c.endpoint_id AND l.day = c.day;

-- The operator's failing endpoints of the last 24 hours (013) read whole hours from the hourly level,
-- and minutes only for the part of the first hour after since: about 24 rows per endpoint, not 1,440.
CREATE INDEX delivery_stats_hourly_hour ON delivery_stats_hourly (hour);
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
    ) x GROUP BY 1 HAVING sum(x.failed) > 0
  ) f
  JOIN public.endpoints e ON e.id = f.endpoint_id
  ORDER BY f.failed DESC, e.id LIMIT max_rows
$$;

DO $$
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  ALTER FUNCTION hookline_stats_add(hookline_stats_change[]) OWNER TO hookline_definer;
  REVOKE ALL ON FUNCTION hookline_stats_add(hookline_stats_change[]) FROM PUBLIC;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
