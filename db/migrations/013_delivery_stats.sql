-- Delivery statistics (issue 24): a rollup per endpoint and minute, so no statistic scans deliveries.
-- A row counts the deliveries *created* in its minute by their current status, their attempts
-- (the sum of attempt_count) and a latency histogram of those attempts. Because the minute is the
-- delivery's created_at, the rollup for a range agrees exactly with the delivery log for the same
-- range (GET /v1/deliveries?since=&until= filters on created_at too), pending included: a status
-- change moves one count from one column to another in the same row.
--
-- Maintained by statement-level triggers on deliveries and attempts, in the transaction of the
-- change they count: every path that writes deliveries (publish, test sends, redeliveries,
-- recoveries, operator events, a purge, an endpoint's deletion) is covered without each of them
-- knowing about it, and a statement that writes many rows (a fan-out, a purge batch) costs one
-- upsert per endpoint and minute, not one per row.
CREATE TABLE delivery_stats (
  tenant_id       text NOT NULL,
  endpoint_id     text NOT NULL,
  minute          timestamptz NOT NULL,
  pending         integer NOT NULL DEFAULT 0,
  success         integer NOT NULL DEFAULT 0,
  failed          integer NOT NULL DEFAULT 0,
  skipped         integer NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  -- latency[k] counts attempts whose duration d (ms) has floor(4 * log2(max(d, 1))) = k - 1: buckets
  -- about 19 % wide, so a percentile read from them is within that of the true one. Only grows: a
  -- deleted delivery's attempts stay in it until the row itself goes (retention, endpoint deletion).
  latency         integer[] NOT NULL DEFAULT '{}',
  last_success_at timestamptz,
  last_failure_at timestamptz,
  PRIMARY KEY (endpoint_id, minute),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX delivery_stats_tenant ON delivery_stats (tenant_id, minute);
-- The operator's view of the deployment's last hour.
CREATE INDEX delivery_stats_minute ON delivery_stats (minute);

-- Tenants read their own rows and the purge deletes them; only the triggers below write them, so a
-- tenant cannot forge its figures.
ALTER TABLE delivery_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON delivery_stats TO hookline_app
  USING (tenant_id = hookline_current_tenant()) WITH CHECK (tenant_id = hookline_current_tenant());
GRANT SELECT, DELETE ON delivery_stats TO hookline_app;
GRANT SELECT, INSERT, UPDATE ON delivery_stats TO hookline_definer;
CREATE POLICY definer_rollup ON delivery_stats TO hookline_definer USING (true) WITH CHECK (true);

CREATE FUNCTION hookline_latency_bucket(ms integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT least(floor(4 * log(2, greatest(ms, 1)::numeric))::int + 1, 80)
$$;

-- Element-wise sum of two histograms of any lengths.
CREATE FUNCTION hookline_hist_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) ORDER BY i), '{}')
  FROM generate_series(1, greatest(coalesce(array_length(a, 1), 0), coalesce(array_length(b, 1), 0))) i
$$;

-- The triggers run as hookline_definer: whoever changed the deliveries (the app role under a tenant,
-- the operator-event function, a cascade run as the owner), the rollup is written the same way, and
-- only for the tenant and endpoint of the rows changed. Rows are upserted in key order, so two
-- statements touching the same rows take their locks in the same order.
CREATE FUNCTION hookline_delivery_stats_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO public.delivery_stats AS s (tenant_id, endpoint_id, minute, pending, success, failed, skipped, attempts, last_success_at, last_failure_at)
  SELECT n.tenant_id, n.endpoint_id, date_trunc('minute', n.created_at, 'UTC'),
    count(*) FILTER (WHERE n.status = 'pending'), count(*) FILTER (WHERE n.status = 'success'),
    count(*) FILTER (WHERE n.status = 'failed'), count(*) FILTER (WHERE n.status = 'skipped'),
    coalesce(sum(n.attempt_count), 0),
    max(coalesce(n.last_attempt_at, n.updated_at)) FILTER (WHERE n.status = 'success'),
    max(coalesce(n.last_attempt_at, n.updated_at)) FILTER (WHERE n.status = 'failed')
  FROM new_rows n GROUP BY 1, 2, 3 ORDER BY 2, 3
  ON CONFLICT (endpoint_id, minute) DO UPDATE SET
    pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
    skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
    last_success_at = greatest(s.last_success_at, excluded.last_success_at),
    last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at);
  RETURN NULL;
END
$$;

-- A row that changed status, attempts, minute or endpoint takes its old contribution out and puts
-- its new one in.
CREATE FUNCTION hookline_delivery_stats_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO public.delivery_stats AS s (tenant_id, endpoint_id, minute, pending, success, failed, skipped, attempts, last_success_at, last_failure_at)
  SELECT v.tenant_id, v.endpoint_id, date_trunc('minute', v.created_at, 'UTC'),
    coalesce(sum(v.sign) FILTER (WHERE v.status = 'pending'), 0), coalesce(sum(v.sign) FILTER (WHERE v.status = 'success'), 0),
    coalesce(sum(v.sign) FILTER (WHERE v.status = 'failed'), 0), coalesce(sum(v.sign) FILTER (WHERE v.status = 'skipped'), 0),
    coalesce(sum(v.sign * v.attempt_count), 0),
    max(v.at) FILTER (WHERE v.sign = 1 AND v.status = 'success'),
    max(v.at) FILTER (WHERE v.sign = 1 AND v.status = 'failed')
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  CROSS JOIN LATERAL (VALUES
    (o.tenant_id, o.endpoint_id, o.created_at, o.status, o.attempt_count, -1, NULL::timestamptz),
    (n.tenant_id, n.endpoint_id, n.created_at, n.status, n.attempt_count, 1, coalesce(n.last_attempt_at, n.updated_at))
  ) AS v(tenant_id, endpoint_id, created_at, status, attempt_count, sign, at)
  WHERE (o.status, o.attempt_count, date_trunc('minute', o.created_at, 'UTC'), o.endpoint_id)
    IS DISTINCT FROM (n.status, n.attempt_count, date_trunc('minute', n.created_at, 'UTC'), n.endpoint_id)
  GROUP BY 1, 2, 3 ORDER BY 2, 3
  ON CONFLICT (endpoint_id, minute) DO UPDATE SET
    pending = s.pending + excluded.pending, success = s.success + excluded.success, failed = s.failed + excluded.failed,
    skipped = s.skipped + excluded.skipped, attempts = s.attempts + excluded.attempts,
    last_success_at = greatest(s.last_success_at, excluded.last_success_at),
    last_failure_at = greatest(s.last_failure_at, excluded.last_failure_at);
  RETURN NULL;
END
$$;

-- Only rows still there are decremented: an endpoint's deletion removes its rollup rows by cascade,
-- and a row the retention purge already removed has nothing left to count.
CREATE FUNCTION hookline_delivery_stats_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE public.delivery_stats s SET
    pending = s.pending - g.pending, success = s.success - g.success, failed = s.failed - g.failed,
    skipped = s.skipped - g.skipped, attempts = s.attempts - g.attempts
  FROM (
    SELECT o.endpoint_id, date_trunc('minute', o.created_at, 'UTC') AS minute,
      count(*) FILTER (WHERE o.status = 'pending') AS pending, count(*) FILTER (WHERE o.status = 'success') AS success,
      count(*) FILTER (WHERE o.status = 'failed') AS failed, count(*) FILTER (WHERE o.status = 'skipped') AS skipped,
      coalesce(sum(o.attempt_count), 0) AS attempts
    FROM old_rows o GROUP BY 1, 2
  ) g
  WHERE s.endpoint_id = g.endpoint_id AND s.minute = g.minute;
  RETURN NULL;
END
$$;

-- Latency goes to the minute of the attempt's delivery, like its other figures.
CREATE FUNCTION hookline_attempt_stats_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO public.delivery_stats AS s (tenant_id, endpoint_id, minute, latency)
  SELECT h.tenant_id, h.endpoint_id, h.minute,
    (SELECT array_agg(coalesce(c.n, 0) ORDER BY i) FROM generate_series(1, h.top) i
       LEFT JOIN unnest(h.buckets, h.counts) AS c(b, n) ON c.b = i)
  FROM (
    SELECT b.tenant_id, b.endpoint_id, b.minute, max(b.bucket) AS top, array_agg(b.bucket) AS buckets, array_agg(b.n) AS counts
    FROM (
      SELECT d.tenant_id, d.endpoint_id, date_trunc('minute', d.created_at, 'UTC') AS minute,
        public.hookline_latency_bucket(n.duration_ms) AS bucket, count(*)::int AS n
      FROM new_rows n JOIN public.deliveries d ON d.tenant_id = n.tenant_id AND d.id = n.delivery_id
      GROUP BY 1, 2, 3, 4
    ) b GROUP BY 1, 2, 3
  ) h ORDER BY 2, 3
  ON CONFLICT (endpoint_id, minute) DO UPDATE SET latency = public.hookline_hist_add(s.latency, excluded.latency);
  RETURN NULL;
END
$$;

CREATE TRIGGER deliveries_stats_insert AFTER INSERT ON deliveries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookline_delivery_stats_insert();
CREATE TRIGGER deliveries_stats_update AFTER UPDATE ON deliveries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookline_delivery_stats_update();
CREATE TRIGGER deliveries_stats_delete AFTER DELETE ON deliveries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hookline_delivery_stats_delete();
CREATE TRIGGER attempts_stats_insert AFTER INSERT ON attempts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookline_attempt_stats_insert();

-- The deliveries already there, counted once (row-level security lifted for this transaction only,
-- as in 010). Their attempts' latencies are left out: the histogram starts with this migration.
ALTER TABLE deliveries NO FORCE ROW LEVEL SECURITY;
INSERT INTO delivery_stats (tenant_id, endpoint_id, minute, pending, success, failed, skipped, attempts, last_success_at, last_failure_at)
SELECT d.tenant_id, d.endpoint_id, date_trunc('minute', d.created_at, 'UTC'),
  count(*) FILTER (WHERE d.status = 'pending'), count(*) FILTER (WHERE d.status = 'success'),
  count(*) FILTER (WHERE d.status = 'failed'), count(*) FILTER (WHERE d.status = 'skipped'),
  coalesce(sum(d.attempt_count), 0),
  max(coalesce(d.last_attempt_at, d.updated_at)) FILTER (WHERE d.status = 'success'),
  max(coalesce(d.last_attempt_at, d.updated_at)) FILTER (WHERE d.status = 'failed')
FROM deliveries d GROUP BY 1, 2, 3;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;

-- The operator's view of the deployment now (GET /v1/admin/stats, the /metrics backlog gauges), across
-- tenants: counts and ages only. Counts stop at 100,000 so a scrape stays cheap in a flood; the oldest
-- pending delivery is the first entry of a small partial index (pending rows are few, and leave it when final).
CREATE INDEX deliveries_pending_created ON deliveries (created_at) WHERE status = 'pending';
CREATE FUNCTION hookline_admin_backlog()
  RETURNS TABLE (outbox_rows bigint, outbox_oldest timestamptz, pending_deliveries bigint, pending_oldest timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT (SELECT count(*) FROM (SELECT 1 FROM public.outbox LIMIT 100000) o),
         (SELECT o.created_at FROM public.outbox o ORDER BY o.id LIMIT 1),
         (SELECT count(*) FROM (SELECT 1 FROM public.deliveries d WHERE d.status = 'pending' LIMIT 100000) d),
         (SELECT d.created_at FROM public.deliveries d WHERE d.status = 'pending' ORDER BY d.created_at LIMIT 1)
$$;

CREATE FUNCTION hookline_admin_throughput(since timestamptz)
  RETURNS TABLE (minute timestamptz, pending bigint, success bigint, failed bigint, skipped bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT s.minute, sum(s.pending), sum(s.success), sum(s.failed), sum(s.skipped)
  FROM public.delivery_stats s WHERE s.minute >= hookline_admin_throughput.since GROUP BY 1 ORDER BY 1
$$;

CREATE FUNCTION hookline_admin_failing_endpoints(since timestamptz, max_rows integer)
  RETURNS TABLE (id text, tenant_id text, url text, enabled boolean, consecutive_failures integer, failed bigint, success bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT e.id, e.tenant_id, e.url, e.enabled, e.consecutive_failures, f.failed, f.success
  FROM (SELECT s.endpoint_id, sum(s.failed) AS failed, sum(s.success) AS success FROM public.delivery_stats s
        WHERE s.minute >= hookline_admin_failing_endpoints.since GROUP BY 1 HAVING sum(s.failed) > 0) f
  JOIN public.endpoints e ON e.id = f.endpoint_id
  ORDER BY f.failed DESC, e.id LIMIT max_rows
$$;

DO $$
DECLARE f text;
BEGIN
  GRANT CREATE ON SCHEMA public TO hookline_definer;
  FOREACH f IN ARRAY ARRAY[
    'hookline_delivery_stats_insert()', 'hookline_delivery_stats_update()', 'hookline_delivery_stats_delete()',
    'hookline_attempt_stats_insert()', 'hookline_admin_backlog()', 'hookline_admin_throughput(timestamptz)',
    'hookline_admin_failing_endpoints(timestamptz, integer)'
  ] LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO hookline_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hookline_app', f);
  END LOOP;
  REVOKE CREATE ON SCHEMA public FROM hookline_definer;
END
$$;
