import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';
import { schemaComplexityProblem } from './schema-complexity';
import { linearUniqueItems } from './unique-items';

/** JSON Schema (draft 2020-12) for event payloads, with ajv: a maintained validator, not our own. */

export type PayloadValidator = ValidateFunction;

/**
 * `pattern` and `patternProperties` run on RE2 (re2js: linear time), not V8's backtracking RegExp:
 * a schema is admin input and `data` is often end-user text, so `^(a+)+$` must not stall the API.
 * RE2 has no lookaround or backreferences; a schema using them is refused when it is saved.
 */
const linearRegExp = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(pattern);
    // ajv shares compiled patterns by their toString(): it must name the pattern.
    return { test: (text: string) => re.matcher(text).find(), toString: () => `/${pattern}/` };
  },
  { code: 'require("re2js").RE2JS' },
);

/**
 * Compiles `schema` or throws an Error saying what is wrong with it. A fresh ajv per schema: a
 * schema's `$id` is registered in its instance, so recompiling an edited type cannot collide.
 */
export function compilePayloadSchema(schema: unknown): PayloadValidator {
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    throw new Error('must be a JSON Schema (an object or a boolean)');
  }
  const tooComplex = schemaComplexityProblem(schema);
  if (tooComplex) throw new Error(tooComplex);
  const ajv = new Ajv2020({ strict: false, allErrors: false, code: { regExp: linearRegExp } });
  addFormats(ajv);
  ajv.removeKeyword('uniqueItems').addKeyword(linearUniqueItems);
  if (!ajv.validateSchema(schema as object)) {
    throw new Error(`not a valid JSON Schema (draft 2020-12): ${ajv.errorsText(ajv.errors, { dataVar: '' })}`);
  }
  let validate: PayloadValidator;
  try {
    validate = ajv.compile(schema as object);
  } catch (err) {
    throw new Error(`not a usable JSON Schema: ${(err as Error).message}`);
  }
  // A reference back to itself with nothing consumed in between (`{"$ref": "#"}`) recurses on any
  // value: found here, on values that consume nothing, rather than as a stack overflow at publish.
  try {
    for (const probe of [null, {}, []]) validate(probe);
  } catch {
    throw new Error('not a usable JSON Schema: it refers to itself without end ($ref with nothing in between)');
  }
  return validate;
}

/** Runs a compiled validator: a violation, or null. Never throws (a recursion too deep for the data is a violation too). */
export function payloadViolation(validate: PayloadValidator, data: unknown): SchemaViolation | null {
  try {
    return validate(data) ? null : firstViolation(validate.errors);
  } catch {
    return { pointer: '', keyword: '$ref', message: 'nests deeper than the schema can check' };
  }
}

export interface SchemaViolation {
  /** JSON pointer into the payload (RFC 6901), "" for the payload itself. */
  pointer: string;
  keyword: string;
  message: string;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The first failure, with the pointer at the offending value: a missing property's own path, an
 * extra property's own path (ajv points at their parent object).
 */
export function firstViolation(errors: ErrorObject[] | null | undefined): SchemaViolation {
  const e = errors?.[0];
  if (!e) return { pointer: '', keyword: 'schema', message: 'does not match the schema' };
  const params = e.params as { missingProperty?: string; additionalProperty?: string; unevaluatedProperty?: string };
  if (e.keyword === 'required' && params.missingProperty !== undefined) {
    return { pointer: `${e.instancePath}/${escape(params.missingProperty)}`, keyword: e.keyword, message: 'is required' };
  }
  const extra = params.additionalProperty ?? params.unevaluatedProperty;
  if ((e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') && extra !== undefined) {
    return { pointer: `${e.instancePath}/${escape(extra)}`, keyword: e.keyword, message: 'is not allowed' };
  }
  return { pointer: e.instancePath, keyword: e.keyword, message: e.message ?? 'is invalid' };
}

/** "data/signer/id: must be string (schema rule "type")": names the pointer and the failing keyword. */
export function describeViolation(v: SchemaViolation, field = 'data'): string {
  return `${field}${v.pointer}: ${v.message} (schema rule "${v.keyword}")`;
}
