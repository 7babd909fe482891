-- Destinations beyond HTTP (issue 26): an endpoint delivers to an HTTP URL or a message broker.
--   type                     'http' (url), 'rabbitmq', 'nats' or 'redis' (config)
--   config                   the broker's serverUrl and exchange / subject / stream ({} for http);
--                            url holds the serverUrl too, so lists, search and operator events read one column
--   credentials_ciphertext   the broker credentials as JSON, AES-256-GCM like the secrets (domain/secrets.ts),
--                            bound to the endpoint id; write-only: never answered, logged, or put in Temporal
--   credential_fields        which credential fields are set, the only part of them an answer shows
ALTER TABLE endpoints
  ADD COLUMN type text NOT NULL DEFAULT 'http' CHECK (type IN ('http', 'rabbitmq', 'nats', 'redis')),
  ADD COLUMN config jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN credentials_ciphertext text,
  ADD COLUMN credential_fields text[] NOT NULL DEFAULT '{}';

-- A broker attempt's outcome in the broker's terms (confirmed, unroutable, auth_failed, ...): response_status
-- holds the HTTP status it stands for (202 taken, 400 final, null retried), response_body the broker's words.
ALTER TABLE attempts ADD COLUMN outcome text CHECK (outcome ~ '^[a-z_]{1,32}$');
