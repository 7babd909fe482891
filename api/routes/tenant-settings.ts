import { createRoute, z } from '@hono/zod-openapi';
import { parseDuration, parseRetrySchedule } from '../../domain/duration';
import { CIRCUIT_BOUNDS } from '../../domain/circuit';
import { refuseSignatureHeaderName } from '../../domain/header-names';
import { FAIRNESS_WEIGHT_MAX, FAIRNESS_WEIGHT_MIN } from '../../domain/fairness';
import { LEGACY_FORMATS, formatDelay, formatSchedule, type TenantSettings } from '../../domain/tenant-settings';
import * as settings from '../../services/tenant-settings';
import type { ApiDeps } from '../deps';
import { errorResponses, json } from '../schemas';
import { TenantParam } from './tenant-schemas';
import { createRouter } from '../router';

/**
 * A tenant's settings (admin, under the tenant routes' auth): its legacy signature header, retry
 * schedule and disable threshold, each overriding the deployment's default or null to inherit it.
 * Validated as the environment variables are.
 */
const security = [{ bearerAuth: [] }];

const LegacySignature = z
  .strictObject({
    header: z.string().max(100).superRefine((h, ctx) => {
      const problem = refuseSignatureHeaderName(h); // as HOOKLINE_LEGACY_SIGNATURE_HEADER
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    format: z.enum(LEGACY_FORMATS).default('sha256=hex').openapi({ description: 'sha256=hex: `sha256=<hex HMAC of the body>`; hex: the bare hex' }),
  })
  .openapi('LegacySignature');

const legacyField = z.union([LegacySignature, z.literal('none')]).nullable().openapi({
  description: 'An HMAC of the body in a header of this name (v1 endpoints); "none": never; null: HOOKLINE_LEGACY_SIGNATURE_HEADER',
});
const schedule = z
  .string()
  .max(1_000)
  .transform((v, ctx) => {
    try {
      return parseRetrySchedule(v); // as HOOKLINE_RETRY_SCHEDULE
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

/** A duration as the environment writes it ("60s", "5m"), within bounds. */
const boundedDuration = (bounds: { min: number; max: number }) =>
  z
    .string()
    .max(20)
    .transform((v, ctx) => {
      try {
        const ms = parseDuration(v);
        if (ms >= bounds.min && ms <= bounds.max) return ms;
        ctx.addIssue({ code: 'custom', message: `must be from ${formatDelay(bounds.min)} to ${formatDelay(bounds.max)}` });
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
      return z.NEVER;
    });

const UpdateSettings = z
  .strictObject({
    legacySignature: legacyField.optional(),
    retrySchedule: schedule.nullable().optional().openapi({ type: 'string', description: 'Delays between attempts, as HOOKLINE_RETRY_SCHEDULE ("30s,5m,30m"); null: the deployment\'s', example: '30s,5m,30m' }),
    disableAfterFailures: z.number().int().min(1).max(1_000_000).nullable().optional().openapi({ description: 'Consecutive failed deliveries that disable an endpoint; null: the deployment\'s' }),
    publishPerSecond: z.number().int().min(0).max(1_000_000).nullable().optional().openapi({
      description: 'Events a second POST /v1/events accepts for the tenant (then 429 with Retry-After); 0: no limit; null: HOOKLINE_PUBLISH_RATE_PER_SECOND',
    }),
    fairnessWeight: z.number().min(FAIRNESS_WEIGHT_MIN).max(FAIRNESS_WEIGHT_MAX).nullable().optional().openapi({ description: 'The tenant\'s share of worker capacity when tenants compete, against 1 for every other tenant; null: 1' }),
    circuitFailures: z.number().int().min(CIRCUIT_BOUNDS.failures.min).max(CIRCUIT_BOUNDS.failures.max).nullable().optional().openapi({ description: 'Attempts in a row that time out, fail to connect or answer 5xx before an endpoint\'s circuit opens; null: HOOKLINE_CIRCUIT_FAILURES' }),
    circuitWindow: boundedDuration(CIRCUIT_BOUNDS.windowMs).nullable().optional().openapi({ type: 'string', description: 'Those attempts count within this long of the first ("60s"); null: HOOKLINE_CIRCUIT_WINDOW', example: '60s' }),
    circuitCoolDown: boundedDuration(CIRCUIT_BOUNDS.coolDownMs).nullable().optional().openapi({ type: 'string', description: 'The first wait before a probe; it doubles with each opening in a row ("30s"); null: HOOKLINE_CIRCUIT_COOL_DOWN', example: '30s' }),
  })
  .refine((p) => Object.keys(p).length > 0, 'give at least one setting');

const Effective = z.object({
  legacySignature: LegacySignature.nullable(),
  retrySchedule: z.string(),
  disableAfterFailures: z.number().int(),
  publishPerSecond: z.number().int().openapi({ description: '0: no limit' }),
  fairnessWeight: z.number(),
  circuitFailures: z.number().int(),
  circuitWindow: z.string(),
  circuitCoolDown: z.string(),
});
export const TenantSettingsSchema = z
  .object({
    legacySignature: legacyField,
    retrySchedule: z.string().nullable(),
    disableAfterFailures: z.number().int().nullable(),
    publishPerSecond: z.number().int().nullable(),
    fairnessWeight: z.number().nullable(),
    circuitFailures: z.number().int().nullable(),
    circuitWindow: z.string().nullable(),
    circuitCoolDown: z.string().nullable(),
    effective: Effective.openapi({ description: 'What applies: these settings over the deployment\'s defaults' }),
  })
  .openapi('TenantSettings');

const routes = {
  get: createRoute({
    method: 'get', path: '/{id}/settings', summary: 'A tenant\'s settings and what applies (admin)', security, request: { params: TenantParam },
    responses: { 200: { description: 'Settings', ...json(TenantSettingsSchema) }, ...errorResponses(400, 401, 404) },
  }),
  update: createRoute({
    method: 'patch', path: '/{id}/settings', summary: 'Change a tenant\'s settings; null returns one to the deployment\'s default (admin)', security,
    request: { params: TenantParam, body: { ...json(UpdateSettings), required: true } },
    responses: { 200: { description: 'Settings', ...json(TenantSettingsSchema) }, ...errorResponses(400, 401, 404, 413) },
  }),
};

function view({ settings: s, effective: e, circuit }: Awaited<ReturnType<typeof settings.readTenantSettings>>): z.infer<typeof TenantSettingsSchema> {
  return {
    legacySignature: s.legacySignature,
    retrySchedule: s.retryScheduleMs && formatSchedule(s.retryScheduleMs),
    disableAfterFailures: s.disableAfterFailures,
    publishPerSecond: s.publishPerSecond,
    fairnessWeight: s.fairnessWeight,
    circuitFailures: s.circuitFailures,
    circuitWindow: s.circuitWindowMs === null ? null : formatDelay(s.circuitWindowMs),
    circuitCoolDown: s.circuitCoolDownMs === null ? null : formatDelay(s.circuitCoolDownMs),
    effective: {
      legacySignature: e.legacySignature,
      retrySchedule: formatSchedule(e.retryScheduleMs),
      disableAfterFailures: e.disableAfterFailures,
      publishPerSecond: e.publishPerSecond,
      fairnessWeight: e.fairnessWeight,
      circuitFailures: circuit.failures,
      circuitWindow: formatDelay(circuit.windowMs),
      circuitCoolDown: formatDelay(circuit.coolDownMs),
    },
  };
}

export function tenantSettingsRoutes(deps: ApiDeps) {
  const app = createRouter();
  app.openapi(routes.get, async (c) => c.json(view(await settings.readTenantSettings(deps, c.req.valid('param').id)), 200));
  app.openapi(routes.update, async (c) => {
    const body = c.req.valid('json');
    const patch: Partial<TenantSettings> = {};
    if (body.legacySignature !== undefined) patch.legacySignature = body.legacySignature;
    if (body.retrySchedule !== undefined) patch.retryScheduleMs = body.retrySchedule;
    if (body.disableAfterFailures !== undefined) patch.disableAfterFailures = body.disableAfterFailures;
    if (body.publishPerSecond !== undefined) patch.publishPerSecond = body.publishPerSecond;
    if (body.fairnessWeight !== undefined) patch.fairnessWeight = body.fairnessWeight;
    if (body.circuitFailures !== undefined) patch.circuitFailures = body.circuitFailures;
    if (body.circuitWindow !== undefined) patch.circuitWindowMs = body.circuitWindow;
    if (body.circuitCoolDown !== undefined) patch.circuitCoolDownMs = body.circuitCoolDown;
    return c.json(view(await settings.updateTenantSettings(deps, c.req.valid('param').id, patch)), 200);
  });
  return app;
}
