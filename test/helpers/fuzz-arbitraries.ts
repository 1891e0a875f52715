import fc from 'fast-check';
import { hiddenCharacters } from '../../schemas/common.ts';

/** A JSON Schema node as found in the OpenAPI document (3.1, so JSON Schema 2020-12 keywords). */
export type JsonSchema = { [key: string]: unknown };

/** Follows a local `$ref` ("#/components/schemas/X") through the document. */
export function resolveRef(doc: unknown, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let hops = 0; typeof s.$ref === 'string' && hops < 20; hops++) {
    const pointer = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    s = pointer.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc) as JsonSchema;
  }
  return s;
}

const DAY = 86_400_000;
const isoDate = fc.integer({ min: Date.UTC(2000, 0, 1) / DAY, max: Date.UTC(2035, 11, 31) / DAY }).map((d) => new Date(d * DAY).toISOString().slice(0, 10));
const isoDateTime = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
// A new password has to be hard to guess: a few distinct words from a list, as a person would choose.
const PASSPHRASE_WORDS = ['quiet', 'otter', 'lantern', 'marble', 'orchid', 'tundra', 'falcon', 'velvet', 'harbour', 'pepper', 'glacier', 'cobalt', 'meadow', 'saffron', 'quarry', 'walnut'];
const passphrase = fc.uniqueArray(fc.constantFrom(...PASSPHRASE_WORDS), { minLength: 4, maxLength: 6 }).map((words) => words.join(' '));

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const maxLength = Math.min(typeof s.maxLength === 'number' ? s.maxLength : 60, Math.max(minLength, 60));
  switch (s.format) {
    case 'email':
      return fc.emailAddress();
    case 'uuid':
      return fc.uuid();
    case 'date':
      return isoDate;
    case 'date-time':
      return isoDateTime;
    case 'uri':
    case 'url':
      return fc.webUrl();
    case 'password':
      return passphrase;
  }
  if (typeof s.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= maxLength);
    } catch {
      // A pattern JavaScript cannot compile: fall through to plain text.
    }
  }
  // Free text that passes the length bounds but carries metacharacters, so they reach the services.
  const fits = HOSTILE_STRINGS.filter((h) => h.length >= minLength && h.length <= maxLength);
  // Invisible characters are refused in text (hostile strings bring them); not in valid-shaped values.
  const text = fc.string({ unit: 'grapheme', minLength, maxLength }).filter((v) => hiddenCharacters(v).length === 0);
  return fits.length ? fc.oneof(text, fc.constantFrom(...fits)) : text;
}

function numberFor(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lo = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : -1000;
  const hi = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : 1_000_000;
  const min = Math.max(lo, -1e9);
  const max = Math.min(Math.max(hi, min), 1e9);
  if (typeof s.multipleOf === 'number') {
    const step = s.multipleOf;
    return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((k) => k * step);
  }
  if (integer) return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/**
 * Values shaped like the schema: right types, formats, enums, required keys and bounds (most of them
 * valid, so requests get past validation into the services; refinements zod keeps to itself may fail).
 */
export function valueFor(doc: unknown, schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  // Not a schema object (a mis-documented parameter): any short text.
  if (!schema || typeof schema !== 'object') return fc.string({ maxLength: 20 });
  const s = resolveRef(doc, schema);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length) return fc.oneof(...options.map((o) => valueFor(doc, o as JsonSchema, depth + 1)));
  }
  if (Array.isArray(s.allOf) && s.allOf.length) return valueFor(doc, Object.assign({}, ...s.allOf.map((o) => resolveRef(doc, o as JsonSchema))), depth + 1);
  const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string | undefined];
  return fc.oneof(...types.map((type) => valueOfType(doc, s, type, depth)));
}

function valueOfType(doc: unknown, s: JsonSchema, type: string | undefined, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return numberFor(s, true);
    case 'number':
      return numberFor(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = typeof s.minItems === 'number' ? s.minItems : 0;
      const maxLength = Math.min(typeof s.maxItems === 'number' ? s.maxItems : 5, Math.max(minLength, 5));
      return fc.array(valueFor(doc, s.items as JsonSchema | undefined, depth + 1), { minLength, maxLength });
    }
    case 'object':
    case undefined: {
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      if (type === undefined && !s.properties) return fc.jsonValue({ maxDepth: 2 });
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const entries = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, valueFor(doc, v, depth + 1)]));
      return fc.record(entries, { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** Strings an attacker or a careless client sends: injection, traversal, odd unicode, numbers as text. */
export const HOSTILE_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; SELECT pg_sleep(0)',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\u202e\u0041dmin',
  'Ad\u200bmin',
  'judge \u{1f9d1}\u200d\u2696\ufe0f',
  'Sia\u0302n Ó Briain 李',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection payload, sent literally
  '${jndi:ldap://x}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e309',
  '9007199254740993',
  '0x1F',
  'true',
  '',
  ' ',
  'null',
  '2025-02-30',
  '2025-13-01',
  '00000000-0000-0000-0000-000000000000',
];

/** Nested arrays or objects `depth` levels deep. */
export const deeplyNested = (depth: number, kind: 'array' | 'object'): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
};

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(1_000, 10_000, 70_000).map((n) => 'x'.repeat(n)),
);

/** A value of the wrong type, or the right type with a hostile payload. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(64, 1000).chain((depth) => fc.constantFrom('array' as const, 'object' as const).map((kind) => deeplyNested(depth, kind))),
);

/** A key no request schema declares. */
export const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('isAdmin', 'role', 'id', 'status_override', '$where', 'passwordHash', 'x'.repeat(300)),
  fc.string({ minLength: 1, maxLength: 12 }).map((k) => `zz_${k}`),
);
