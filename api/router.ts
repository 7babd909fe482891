import { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { validationHook } from './errors';

/** Every route file's router: a failed validation is a 400 naming the field, the same everywhere. */
export function createRouter<E extends Env = Env>() {
  return new OpenAPIHono<E>({ defaultHook: validationHook });
}
