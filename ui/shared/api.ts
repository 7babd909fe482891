/** The same JSON API everyone uses, with a bearer token in a header (never a cookie: CSRF-safe). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface Api {
  request<T>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T>;
  /** The JSON body's properties the route takes, from the OpenAPI document (settings from newer versions light up). */
  bodyProps(method: string, path: string): Promise<Set<string>>;
}

type Spec = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Schema = { $ref?: string; properties?: Record<string, unknown>; allOf?: Schema[]; anyOf?: Schema[] };

export function createApi(token: () => string | null, onUnauthorized: (message: string) => void): Api {
  let loaded: Promise<Spec> | undefined;
  const spec = () => (loaded ??= fetch('/openapi.json').then((r) => r.json() as Promise<Spec>).catch((): Spec => ({})));
  const op = async (method: string, path: string) => (await spec()).paths?.[path]?.[method.toLowerCase()];
  const props = (s: Schema | undefined, all: Spec, out = new Set<string>()): Set<string> => {
    if (!s) return out;
    if (s.$ref) return props(all.components?.schemas?.[s.$ref.split('/').pop()!], all, out);
    for (const k of Object.keys(s.properties ?? {})) out.add(k);
    for (const sub of [...(s.allOf ?? []), ...(s.anyOf ?? [])]) props(sub, all, out);
    return out;
  };
  return {
    async request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
      const headers: Record<string, string> = { ...extraHeaders, authorization: `Bearer ${token() ?? ''}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
      if (res.status === 204) return undefined as T;
      const payload = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
      if (!res.ok) {
        const err = new ApiError(res.status, payload?.error?.code ?? 'unknown', payload?.error?.message ?? res.statusText);
        if (res.status === 401) onUnauthorized(err.message);
        throw err;
      }
      return payload as T;
    },
    bodyProps: async (method, path) => props((await op(method, path))?.requestBody?.content?.['application/json']?.schema, await spec()),
  };
}

export const q = (params: Record<string, string | number | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
};

export const enc = encodeURIComponent;
