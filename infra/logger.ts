import pino from 'pino';

export type Logger = pino.Logger;

const REDACTED_PATHS = [
  'secret', '*.secret', 'apiKey', '*.apiKey', 'token', '*.token', 'authorization', '*.authorization',
  'headers.authorization', 'req.headers.authorization', '*.headers["webhook-signature"]',
];

/**
 * JSON logs to stdout, or to `destination` when given (tests collect them).
 * Anything that could hold a secret or key is redacted by path, wherever it turns up.
 */
export function createLogger(level: string, name = 'hookline', destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
