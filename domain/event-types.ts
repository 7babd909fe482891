/** The event-type catalogue. Publishing outside it is refused unless HOOKLINE_OPEN_EVENT_TYPES=true. */
export const EVENT_TYPES: ReadonlyArray<{ type: string; description: string }> = [
  { type: 'signing.completed', description: 'Every signer has signed; the document is complete.' },
  { type: 'policy.violated', description: 'A signing policy was violated (e.g. an expired or forged signature).' },
  { type: 'signer.created', description: 'A signer was added.' },
  { type: 'signer.updated', description: 'A signer was changed.' },
  { type: 'signer.revoked', description: 'A signer was revoked.' },
  { type: 'card.viewed', description: 'A digital business card was viewed.' },
  { type: 'contact.saved', description: 'A viewer saved the card as a contact.' },
  { type: 'webhook.test', description: 'Sent by Hookline when you test an endpoint. Not counted as a failure.' },
  { type: 'webhook.disabled', description: 'Sent by Hookline to your other endpoints when one is disabled. Subscribe to it by name.' },
];

/** Types only Hookline itself emits. */
export const RESERVED_EVENT_TYPES = new Set(['webhook.test', 'webhook.disabled']);

const KNOWN = new Set(EVENT_TYPES.map((t) => t.type));

export function isKnownEventType(type: string): boolean {
  return KNOWN.has(type);
}

export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
