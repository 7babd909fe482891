import { h, type Child } from '../shared/dom';
import type { Attempt, Endpoint } from './types';

/**
 * How the portal names an endpoint's destination and a broker attempt's outcome: an HTTP endpoint
 * by its URL and status, a broker endpoint by its type, server and exchange/subject/stream, and
 * its attempts by the broker's own word (confirmed, appended, unroutable…).
 */
export const TYPE_NAMES: Record<string, string> = { http: 'HTTP', rabbitmq: 'RabbitMQ', nats: 'NATS JetStream', redis: 'Redis Streams' };

const isBroker = (e: Endpoint) => typeof e.type === 'string' && e.type !== 'http';
const configOf = (e: Endpoint) => (e.config ?? {}) as Record<string, string | number | undefined>;

/** Where a consumer finds webhook-id, webhook-timestamp and webhook-signature, to verify as for HTTP. */
const HEADERS_WHERE: Record<string, string> = {
  rabbitmq: 'In the AMQP message headers; the message body is the signed body.',
  nats: 'In the NATS message headers; the message data is the signed body.',
  redis: 'Fields of the stream entry, beside the signed body in the field body.',
};

/** Where a broker endpoint's messages go within its server: the exchange, subject or stream. */
function targetOf(e: Endpoint): string {
  const c = configOf(e);
  return String(c.exchange ?? c.subject ?? c.stream ?? '');
}

/** One line for lists: the URL of an HTTP endpoint; "RabbitMQ amqp://… → exchange" for a broker one. */
export function destinationLabel(e: Endpoint): string {
  return isBroker(e) ? `${TYPE_NAMES[e.type] ?? e.type} ${e.url} → ${targetOf(e)}` : e.url;
}

/** The endpoint page's rows for its destination; credentials only as which fields are set. */
export function destinationRows(e: Endpoint): [string, Child][] {
  const url = h('span', { class: 'mono url' }, e.url);
  if (!isBroker(e)) return [['URL', url]];
  const c = configOf(e);
  const set = e.credentialsSet ?? [];
  const rows: [string, Child][] = [['Destination', TYPE_NAMES[e.type] ?? e.type], ['Server', url]];
  if (e.type === 'rabbitmq') rows.push(['Exchange', h('span', { class: 'mono' }, String(c.exchange))], ['Routing key', c.routingKey ? h('span', { class: 'mono' }, String(c.routingKey)) : 'The event type']);
  if (e.type === 'nats') rows.push(['Subject', h('span', { class: 'mono' }, String(c.subject))]);
  if (e.type === 'redis') rows.push(['Stream', h('span', { class: 'mono' }, String(c.stream))], ['Most entries kept', c.maxLen ? `about ${c.maxLen}` : 'No trimming']);
  rows.push(['Credentials', set.length ? `${set.join(' and ')} set (never shown)` : 'None given'], ['Signature headers', HEADERS_WHERE[e.type] ?? '']);
  return rows;
}

/** A broker attempt's outcome in words: what the broker did, and whether Hookline tries again. */
function brokerBadge(a: Attempt): HTMLElement {
  if (a.responseStatus !== null && a.responseStatus < 300) return h('span', { class: 'badge s-success' }, `Broker: ${a.outcome}`);
  if (a.responseStatus === null) return h('span', { class: 'badge s-pending' }, `Broker: ${a.outcome}, tried again`);
  return h('span', { class: 'badge s-failed' }, `Broker: ${a.outcome}, not retried`);
}

/** The badge of one attempt: the HTTP status, "no answer", or a broker's outcome. */
export function attemptBadge(a: Attempt): HTMLElement {
  if (a.outcome) return brokerBadge(a);
  if (a.responseStatus === null) return h('span', { class: 'badge s-failed' }, 'no answer');
  return h('span', { class: `badge ${a.responseStatus < 300 ? 's-success' : 's-failed'}` }, `HTTP ${a.responseStatus}`);
}

/** What the attempt's stored answer is called: an HTTP response body, or the broker's reply. */
export const answerLabel = (a: Attempt) => (a.outcome ? "The broker's answer" : 'Response body');
