-- Endpoint authentication and mutual TLS for HTTP endpoints.
--   auth                 what answers show of the auth: { type, username } / { type } / { type, tokenUrl, clientId, scope?, audience? }
--   auth_ciphertext      the whole auth (with its password, token or client secret) as JSON, AES-256-GCM like the
--                        signing secrets (domain/secrets.ts), bound to '<endpoint id>:auth'; write-only
--   tls_certificate      the client certificate (PEM, public), tls_ca_certificate the CA it trusts for the receiver
--   tls_key_ciphertext   the client certificate's private key, sealed, bound to '<endpoint id>:tls-key'
--   tls_subject, tls_not_after, tls_fingerprint   what answers show of the certificate, read once when it is set
ALTER TABLE endpoints
  ADD COLUMN auth jsonb,
  ADD COLUMN auth_ciphertext text,
  ADD COLUMN tls_certificate text,
  ADD COLUMN tls_ca_certificate text,
  ADD COLUMN tls_key_ciphertext text,
  ADD COLUMN tls_subject text,
  ADD COLUMN tls_not_after timestamptz,
  ADD COLUMN tls_fingerprint text,
  ADD CONSTRAINT endpoints_auth_sealed CHECK ((auth IS NULL) = (auth_ciphertext IS NULL)),
  ADD CONSTRAINT endpoints_tls_whole CHECK ((tls_certificate IS NULL) = (tls_key_ciphertext IS NULL) AND (tls_certificate IS NULL) = (tls_not_after IS NULL)),
  ADD CONSTRAINT endpoints_auth_http_only CHECK (type = 'http' OR (auth IS NULL AND tls_certificate IS NULL));
