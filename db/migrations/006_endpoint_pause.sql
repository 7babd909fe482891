-- An endpoint that answered 429 or 503 with Retry-After is paused until then: its other deliveries
-- wait (durably, as timers of their workflows) instead of hammering it; a success ends the pause.
ALTER TABLE endpoints ADD COLUMN paused_until timestamptz;
