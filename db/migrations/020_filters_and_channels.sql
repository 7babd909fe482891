-- Payload filters and channels (docs/api/filters-and-channels.md).
-- An endpoint's filter is matched against each event at publish time (domain/event-filter.ts); null
-- means none, and such endpoints are selected in SQL alone, as before. Channels narrow an endpoint to
-- the events that share one; '{}' means every event.
ALTER TABLE endpoints
  ADD COLUMN filter jsonb CHECK (filter IS NULL OR jsonb_typeof(filter) = 'object'),
  ADD COLUMN channels text[] NOT NULL DEFAULT '{}';

-- The event's channels, kept so the delivery log can be searched by channel.
ALTER TABLE events ADD COLUMN channels text[] NOT NULL DEFAULT '{}';
-- Events with channels only: an event without any is never found by a channel search.
CREATE INDEX events_channels ON events USING gin (channels) WHERE channels <> '{}';
