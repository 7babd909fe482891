import type { z } from '@hono/zod-openapi';
import type { AdminDelivery as AdminDeliverySchema, AdminEndpoint as AdminEndpointSchema } from './routes/admin';
import type { EventTypeSchema } from './routes/event-type-schemas';
import type { PortalSessionSchema } from './routes/portal-sessions';
import type { RecoverySchema } from './routes/recovery-schemas';
import type { ApiKeySchema, TenantSchema } from './routes/tenant-schemas';
import type { AttemptSchema, DeliverySchema, EndpointSchema } from './schemas';

/**
 * The API's answers as types, derived from the zod schemas that validate and document them. ui/
 * imports these with `import type` (erased when bundled), so the pages read what the server sends.
 */
export type Endpoint = z.infer<typeof EndpointSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type Attempt = z.infer<typeof AttemptSchema>;
export type EventType = z.infer<typeof EventTypeSchema>;
export type Recovery = z.infer<typeof RecoverySchema>;
export type Tenant = z.infer<typeof TenantSchema>;
export type ApiKey = z.infer<typeof ApiKeySchema>;
export type PortalSession = z.infer<typeof PortalSessionSchema>;
export type AdminEndpoint = z.infer<typeof AdminEndpointSchema>;
export type AdminDelivery = z.infer<typeof AdminDeliverySchema>;
