-- Event and delivery search across a tenant, and enforced retention (issue 15).

-- The event's type on each delivery, so a search by type is one index range, not a join that reads an
-- event per delivery. Publishing writes it (db/queries/publish.ts); any other insert gets it from its event.
ALTER TABLE deliveries ADD COLUMN event_type text;

-- The backfill rewrites every tenant's rows: row-level security is lifted for this transaction only
-- (a migrator that is not a superuser is bound by FORCE, and no policy names the owner).
ALTER TABLE deliveries NO FORCE ROW LEVEL SECURITY;
ALTER TABLE events NO FORCE ROW LEVEL SECURITY;
UPDATE deliveries d SET event_type = e.type FROM events e WHERE e.tenant_id = d.tenant_id AND e.id = d.event_id;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;

-- '' when the event is missing: the foreign key then refuses the row with its own message.
CREATE FUNCTION hookline_delivery_event_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.event_type := coalesce((SELECT e.type FROM events e WHERE e.tenant_id = NEW.tenant_id AND e.id = NEW.event_id), '');
  RETURN NEW;
END
$$;
CREATE TRIGGER deliveries_event_type BEFORE INSERT ON deliveries
  FOR EACH ROW WHEN (NEW.event_type IS NULL) EXECUTE FUNCTION hookline_delivery_event_type();
ALTER TABLE deliveries ALTER COLUMN event_type SET NOT NULL;

-- Delivery search (GET /v1/deliveries), newest first on (created_at, id), scanned backwards:
-- every filter of the tenant has an index that yields its rows already in page order.
CREATE INDEX deliveries_tenant_created ON deliveries (tenant_id, created_at, id);
-- Statuses other than success are the ones looked for and the rare ones; a success is found by the
-- index above, and a delivery turning successful adds no entry here.
CREATE INDEX deliveries_tenant_status ON deliveries (tenant_id, status, created_at, id) WHERE status <> 'success';
CREATE INDEX deliveries_tenant_type ON deliveries (tenant_id, event_type, created_at, id);
-- Test sends and redeliveries are few among many events.
CREATE INDEX deliveries_tenant_kind ON deliveries (tenant_id, kind, created_at, id) WHERE kind <> 'event';
-- An event's deliveries (GET /v1/events/:id, ?eventId=, and the purge's "has it any left").
CREATE INDEX deliveries_tenant_event ON deliveries (tenant_id, event_id);

-- Event log (GET /v1/events), newest first, and the purge's oldest first.
CREATE INDEX events_tenant_created ON events (tenant_id, created_at, id);
CREATE INDEX events_tenant_type ON events (tenant_id, type, created_at, id);

-- Retention: days of events, deliveries and attempts a tenant keeps; NULL follows
-- HOOKLINE_RETENTION_DAYS, 0 keeps forever. Set by the admin (PATCH /v1/tenants/:id).
ALTER TABLE tenants ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 0 AND 36500);
GRANT UPDATE (retention_days) ON tenants TO hookline_app;
