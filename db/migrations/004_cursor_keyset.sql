-- Delivery pages are keyed on (created_at, id) within an endpoint, so a cursor carries only the
-- tenant's own row and not the global insertion sequence (which counts every tenant's deliveries).
-- Scanned backwards for newest first; the row comparison (created_at, id) < (...) is an index condition.
CREATE INDEX deliveries_endpoint_created ON deliveries (endpoint_id, created_at, id);
DROP INDEX deliveries_endpoint_seq;
