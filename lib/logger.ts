import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs. Anything that could hold a secret or key is redacted by path, wherever it turns up. */
export function createLogger(level: string, name = 'hookline'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'secret', '*.secret', 'apiKey', '*.apiKey', 'token', '*.token', 'authorization', '*.authorization',
        'headers.authorization', 'req.headers.authorization', '*.headers["webhook-signature"]',
      ],
      censor: '[redacted]',
    },
  });
}
