import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * JSON Schemas for kubeconform, made from the Kubernetes type schema that ships inside the
 * `k8s.io/client-go` Go module (applyconfigurations/internal: every built-in type's fields, as
 * structured-merge-diff YAML). kubeconform's own schemas are downloaded at run time, which this
 * machine cannot do; these are strict (no unknown field anywhere) and named as kubeconform asks:
 * `<kind>-<group>-<version>.json`, `<kind>-v1.json` for the core group.
 *
 * What they do not know: required fields (the type schema has none) and enum values.
 */
type TypeRef = { namedType?: string; scalar?: string; list?: { elementType: TypeRef }; map?: MapDef };
type MapDef = { fields?: { name: string; type: TypeRef }[]; elementType?: TypeRef };
type TypeDef = { name: string; scalar?: string; list?: { elementType: TypeRef }; map?: MapDef };
type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = { string: { type: 'string' }, numeric: { type: 'number' }, boolean: { type: 'boolean' }, untyped: {} };

function convert(ref: TypeRef | TypeDef): JsonSchema {
  const kinds = [ref.scalar, ref.list, ref.map].filter((k) => k !== undefined).length;
  if ('namedType' in ref && ref.namedType) return { $ref: `#/definitions/${ref.namedType}` };
  if (kinds !== 1) return {}; // several shapes (the __untyped_ types): anything
  if (ref.scalar) return SCALARS[ref.scalar] ?? {};
  if (ref.list) return { type: 'array', items: convert(ref.list.elementType) };
  const map = ref.map!;
  if (map.fields) {
    return { type: 'object', additionalProperties: false, properties: Object.fromEntries(map.fields.map((f) => [f.name, convert(f.type)])) };
  }
  return { type: 'object', additionalProperties: map.elementType ? convert(map.elementType) : {} };
}

/** `io.k8s.api.apps.v1.Deployment` → `deployment-apps-v1.json`; the core group → `service-v1.json`. */
function fileName(typeName: string): string | undefined {
  const match = /^io\.k8s\.api\.([a-z0-9]+)\.(v[0-9a-z]+)\.([A-Z][A-Za-z0-9]+)$/.exec(typeName);
  if (!match) return undefined;
  const [, group, version, kind] = match;
  return `${kind!.toLowerCase()}${group === 'core' ? '' : `-${group}`}-${version}.json`;
}

export function writeKubeSchemas(clientGoDir: string, outDir: string): number {
  const source = readFileSync(path.join(clientGoDir, 'applyconfigurations/internal/internal.go'), 'utf8');
  const yamlText = /schemaYAML = typed\.YAMLObject\(`([\s\S]*?)`\)/.exec(source)?.[1];
  if (!yamlText) throw new Error(`no type schema in ${clientGoDir}`);
  const types = (parse(yamlText) as { types: TypeDef[] }).types;
  const definitions = Object.fromEntries(types.map((t) => [t.name, convert(t)]));
  mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const t of types) {
    const file = fileName(t.name);
    const fields = t.map?.fields?.map((f) => f.name) ?? [];
    if (!file || !fields.includes('apiVersion') || !fields.includes('kind')) continue;
    writeFileSync(path.join(outDir, file), JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', $ref: `#/definitions/${t.name}`, definitions }));
    written += 1;
  }
  return written;
}

if (require.main === module) {
  const [clientGoDir, outDir] = process.argv.slice(2);
  if (!clientGoDir || !outDir || !existsSync(clientGoDir)) {
    console.error('usage: tsx tools/helm/kube-schemas.ts <k8s.io/client-go module dir> <out dir>');
    process.exit(2);
  }
  console.log(`${writeKubeSchemas(clientGoDir, outDir)} schemas in ${outDir}`);
}
