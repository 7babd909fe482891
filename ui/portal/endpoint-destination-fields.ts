import { field, h, replace } from '../shared/dom';
import { TYPE_NAMES } from './destination-view';
import type { Endpoint } from './types';

/**
 * The endpoint form's destination: a type selector (HTTP or a broker) and, for a broker, its config
 * fields and write-only credentials. Only the chosen type's inputs are in the page, each type's kept
 * aside with what was typed. Credentials are never shown: editing says which are set, and a value
 * typed replaces the whole set.
 */
type Input = { name: string; label: string; hint?: string; placeholder?: string; required?: boolean; number?: boolean };

const CONFIG: Record<string, Input[]> = {
  rabbitmq: [
    { name: 'serverUrl', label: 'Server URL', required: true, placeholder: 'amqp://mq.example.com:5672/', hint: 'amqp:// or amqps://, the virtual host as the path; no user or password in it.' },
    { name: 'exchange', label: 'Exchange', required: true, hint: 'It must exist; a message no queue takes fails, it is not dropped.' },
    { name: 'routingKey', label: 'Routing key (optional)', hint: 'Empty: the event type, e.g. card.viewed.' },
  ],
  nats: [
    { name: 'serverUrl', label: 'Server URL', required: true, placeholder: 'nats://nats.example.com:4222', hint: 'nats://, or tls:// for TLS; no user or password in it.' },
    { name: 'subject', label: 'Subject', required: true, placeholder: 'webhooks.{type}', hint: '{type} stands for the event type. A JetStream stream must capture the subject.' },
  ],
  redis: [
    { name: 'serverUrl', label: 'Server URL', required: true, placeholder: 'redis://redis.example.com:6379/0', hint: 'redis://, or rediss:// for TLS; the path is the database number.' },
    { name: 'stream', label: 'Stream', required: true, hint: 'It must exist: your consumers create it (XGROUP CREATE … MKSTREAM).' },
    { name: 'maxLen', label: 'Most entries kept (optional)', number: true, hint: 'The stream is trimmed to about this many entries. Empty: no trimming.' },
  ],
};

const CREDENTIALS: Record<string, { inputs: string[]; hint: string }> = {
  rabbitmq: { inputs: ['username', 'password'], hint: 'Both, or neither (the broker then gets guest).' },
  nats: { inputs: ['token', 'username', 'password'], hint: 'A token, or a username and password.' },
  redis: { inputs: ['username', 'password'], hint: 'A password, with a username for a Redis ACL user.' },
};

const LABELS: Record<string, string> = { username: 'Username', password: 'Password', token: 'Token' };

interface TypeFields {
  el: HTMLElement;
  config: Map<string, HTMLInputElement>;
  credentials: Map<string, HTMLInputElement>;
  remove: HTMLInputElement | null;
}

function configInputs(type: string, current: Record<string, unknown>): Map<string, HTMLInputElement> {
  return new Map(CONFIG[type]!.map((i) => [i.name, h('input', {
    type: i.number ? 'number' : i.name === 'serverUrl' ? 'url' : 'text', name: `config.${i.name}`, required: i.required,
    placeholder: i.placeholder, class: 'mono', spellcheck: 'false', autocomplete: 'off',
    value: current[i.name] === undefined ? '' : String(current[i.name]), ...(i.number ? { min: 1, step: 1, inputmode: 'numeric' } : {}),
  })]));
}

/** A broker type's inputs: config, then credentials (which are set, on edit; never their values). */
function typeFields(type: string, e: Endpoint | undefined): TypeFields {
  const own = e?.type === type;
  const config = configInputs(type, own ? ((e?.config ?? {}) as Record<string, unknown>) : {});
  const set = own ? (e?.credentialsSet ?? []) : [];
  const credentials = new Map(CREDENTIALS[type]!.inputs.map((n) => [n, h('input', {
    type: n === 'username' ? 'text' : 'password', name: `credentials.${n}`, autocomplete: 'new-password', spellcheck: 'false',
    placeholder: set.includes(n) ? 'set: leave empty to keep' : '',
  })]));
  const remove = set.length ? h('input', { type: 'checkbox', name: 'remove-credentials', id: `remove-credentials-${type}` }) : null;
  const el = h('div', { class: 'destination-fields' },
    h('fieldset', {}, h('legend', {}, `${TYPE_NAMES[type]} destination`),
      CONFIG[type]!.map((i) => field(i.label, config.get(i.name)!, i.hint))),
    h('fieldset', {}, h('legend', {}, 'Credentials (optional, write-only)'),
      h('p', { class: 'hint' }, set.length
        ? `Set now: ${set.join(' and ')}. They are never shown; type new ones to replace them all.`
        : `${CREDENTIALS[type]!.hint} Stored sealed and never shown again.`),
      [...credentials].map(([n, input]) => field(LABELS[n]!, input)),
      remove ? h('div', { class: 'check' }, remove, h('label', { for: remove.id }, 'Remove the credentials')) : null));
  return { el, config, credentials, remove };
}

export interface DestinationFields {
  /** The type selector and the chosen broker's fields; null when the API takes no `type`. */
  el: HTMLElement | null;
  /** Calls `show(broker)` now and on every change of type, to hide what only HTTP uses (the URL). */
  onType(show: (broker: boolean) => void): void;
  /** Puts type, config and credentials on the body (and takes `url` off it for a broker); a problem in words, or null. */
  fill(body: Record<string, unknown>): string | null;
}

export function destinationFields(e: Endpoint | undefined, props: Set<string>): DestinationFields {
  if (!props.has('type') && !props.has('config')) return { el: null, onType: (show) => show(false), fill: () => null };
  const current = typeof e?.type === 'string' ? e.type : 'http';
  const select = h('select', { name: 'type', disabled: Boolean(e) },
    Object.entries(TYPE_NAMES).map(([value, label]) => h('option', { value }, value === 'http' ? 'HTTP (a POST to your URL)' : label)));
  select.value = current;
  const byType = new Map<string, TypeFields>();
  const box = h('div');
  const listeners: ((broker: boolean) => void)[] = [];
  const sync = () => {
    const type = select.value;
    if (type !== 'http' && !byType.has(type)) byType.set(type, typeFields(type, e));
    replace(box, byType.get(type)?.el);
    for (const show of listeners) show(type !== 'http');
  };
  select.addEventListener('change', sync);
  sync();
  const el = h('div', {},
    field('Destination type', select, e ? 'The type cannot change: add a new endpoint for another.' : 'HTTP posts each event to a URL; a broker type publishes it as a message.'),
    box);

  return {
    el,
    onType(show) {
      listeners.push(show);
      show(select.value !== 'http');
    },
    fill(body) {
      const type = select.value;
      if (type === 'http') return null;
      const f = byType.get(type)!;
      const config: Record<string, unknown> = {};
      for (const i of CONFIG[type]!) {
        const value = f.config.get(i.name)!.value.trim();
        if (!value && i.required) return `${i.label} is required for ${TYPE_NAMES[type]}.`;
        if (value) config[i.name] = i.number ? Number(value) : value;
      }
      delete body.url;
      if (!e) body.type = type;
      body.config = config;
      const typed = Object.fromEntries([...f.credentials].map(([n, input]) => [n, input.value]).filter(([, v]) => v !== ''));
      if (f.remove?.checked) body.credentials = null;
      else if (Object.keys(typed).length) body.credentials = typed;
      return null;
    },
  };
}
