import { gzipSync } from 'node:zlib';

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Schema> };
}

interface OperationObject {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  headers: string[];
  bodyTypes: string[];
  bodySchema?: Schema;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const bodyTypes = Object.keys(content);
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headers: params.filter((p) => p.in === 'header').map((p) => p.name),
        bodyTypes,
        bodySchema: bodyTypes.length ? content[bodyTypes[0]].schema : undefined,
      });
    }
  }
  return operations;
}

const resolve = (doc: OpenApiDocument, schema: Schema): Schema => {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 10; hops += 1) {
    current = doc.components.schemas[current.$ref.replace('#/components/schemas/', '')] ?? {};
  }
  const combined = current.allOf ?? current.oneOf ?? current.anyOf;
  return combined?.length ? resolve(doc, combined[0]) : current;
};

/** A plausible value for a schema (often valid, so requests get past validation into services and the database). */
export function plausible(doc: OpenApiDocument, raw: Schema, rng: Prng, ids: () => string, depth = 0): unknown {
  const schema = resolve(doc, raw);
  if (schema.enum?.length) return rng.pick(schema.enum);
  if (schema.nullable && rng.chance(0.1)) return null;
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = Math.min(schema.maximum ?? 20, min + 1000);
      return min + rng.int(max - min + 1);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'array':
      return depth > 4
        ? []
        : Array.from({ length: rng.int(3) }, () =>
            plausible(doc, schema.items ?? { type: 'object' }, rng, ids, depth + 1),
          );
    case 'string':
      if (schema.format === 'uuid') return ids();
      if (schema.format === 'email') return `fuzz-${rng.int(1e9)}@example.test`;
      if (schema.format === 'date-time') return new Date(Date.UTC(2026, rng.int(12), 1 + rng.int(28))).toISOString();
      return rng.pick([
        'Fuzz',
        'fuzz text é ✓',
        'Password-123',
        'en',
        'sjt',
        'SJT',
        'x'.repeat(Math.max(1, schema.minLength ?? 1)),
      ]);
    default: {
      if (depth > 4) return {};
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(key) || rng.chance(0.5)) out[key] = plausible(doc, inner, rng, ids, depth + 1);
      }
      if (!schema.properties || schema.additionalProperties) {
        for (let i = rng.int(3); i > 0; i -= 1)
          out[`k${rng.int(100)}`] = rng.pick(['v', 1, true, null, { nested: 'x' }]);
      }
      return out;
    }
  }
}

const protoValue = (key: string): unknown => JSON.parse(`{"${key}":{"polluted":true,"isAdmin":true}}`);

/** Hostile scalar and structural values for any one place in a body, query or path. */
export function hostileValue(rng: Prng): unknown {
  const deep = (levels: number) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < levels; i += 1) value = i % 2 ? [value] : { d: value };
    return value;
  };
  return rng.pick<() => unknown>([
    () => 'nul\u0000byte',
    () => '\u0000',
    () => 'lone \ud800 surrogate',
    () => '\udfff',
    () => 1e308,
    () => -1e308,
    () => 1.2345678901234568e22, // 12345678901234567890123 as a double
    () => 2 ** 53 + 1,
    () => -1,
    () => 1.5,
    () => 0,
    () => '99999999999999999999999',
    () => 'x'.repeat(1_000_000 - 200),
    () => 'y'.repeat(70_000),
    () => Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`w${i}`, i])),
    () => deep(60),
    () => deep(150),
    () => protoValue(rng.pick(['__proto__', 'constructor', 'prototype'])),
    () => [],
    () => ({}),
    () => null,
    () => true,
    () => [1, 'two', null, { three: 3 }],
    () => 'not-a-uuid',
    () => rng.uuid(),
    () => '2026-13-45T99:99:99Z',
    () => '<script>alert(1)</script>',
    () => '%00',
  ])();
}

/** Mutates a JSON body: one place replaced, a field added or removed, or the whole body swapped. */
export function mutateBody(body: unknown, rng: Prng): unknown {
  const roll = rng.int(10);
  if (roll === 0) return hostileValue(rng);
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return rng.chance(0.5) ? { value: hostileValue(rng) } : body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (roll === 1 && keys.length) delete copy[rng.pick(keys)];
  else if (roll === 2)
    copy[rng.pick(['unknown_field', 'tenant_id', 'role', 'id', 'user_id', 'status'])] = hostileValue(rng);
  else if (roll === 3)
    return { ...(protoValue(rng.pick(['__proto__', 'constructor', 'prototype'])) as object), ...copy };
  else if (keys.length) {
    const key = rng.pick(keys);
    const inner = copy[key];
    copy[key] = inner && typeof inner === 'object' && rng.chance(0.5) ? mutateBody(inner, rng) : hostileValue(rng);
  }
  return copy;
}

/** Strings for a path segment or a query value (percent-encoded as sent; some deliberately malformed). */
export function hostilePathValue(rng: Prng): string {
  return rng.pick([
    'a%00b',
    '%00',
    '%ED%A0%80', // a lone surrogate in UTF-8 form: invalid UTF-8
    '%E0%A4%A',
    '%FF',
    '99999999999999999999999',
    '-1',
    '1e400',
    '0x10',
    'not-a-uuid',
    rng.uuid(),
    'x'.repeat(3_000),
    '%C3%A9t%C3%A9',
    '..%2F..%2Fetc%2Fpasswd',
    '%20',
    'null',
    'true',
    '[]',
  ]);
}

/** Values for documented request headers (Range on downloads), valid and not. */
export function hostileHeaderValue(rng: Prng): string {
  return rng.pick([
    'bytes=0-10',
    'bytes=5-',
    'bytes=-3',
    'bytes=10-2',
    'bytes=99999999999999999999999-',
    'bytes=0-1,3-4',
    'bytes=abc',
    'items=0-1',
    '',
  ]);
}

export interface Encoded {
  headers: Record<string, string>;
  body?: Buffer;
}

/** How a body goes on the wire: usually JSON, sometimes with the wrong type, charset or a (corrupt) encoding. */
export function encodeBody(value: unknown, rng: Prng, allowedTypes: string[]): Encoded {
  const json = Buffer.from(JSON.stringify(value) ?? 'null');
  const roll = rng.int(36);
  if (roll === 0) return { headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"unterminated": ') };
  if (roll === 1)
    return {
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: Buffer.from('corrupt gzip bytes'),
    };
  if (roll === 2)
    return { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: gzipSync(json) };
  if (roll === 3)
    return {
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': rng.pick(['deflate', 'br', 'compress']) },
      body: Buffer.from('garbage'),
    };
  if (roll === 4)
    return {
      headers: { 'Content-Type': rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) },
      body: json,
    };
  if (roll === 5)
    return {
      headers: { 'Content-Type': 'multipart/form-data; boundary=fuzz' },
      body: Buffer.from(
        '--fuzz\r\nContent-Disposition: form-data; name="file"; filename="a.webm"\r\n\r\nxx\r\n--fuzz--\r\n',
      ),
    };
  if (roll === 6)
    return {
      headers: { 'Content-Type': 'application/json; charset=utf-16le' },
      body: Buffer.from(json.toString(), 'utf16le'),
    };
  if (roll === 7)
    return {
      headers: { 'Content-Type': rng.pick(['application/json; charset=latin1', 'application/json; charset=utf-7']) },
      body: json,
    };
  if (roll === 8) return { headers: {}, body: json };
  if (roll === 9) return { headers: { 'Content-Type': 'application/json' }, body: Buffer.alloc(0) };
  return {
    headers: {
      'Content-Type':
        allowedTypes.includes('multipart/form-data') && rng.chance(0.5)
          ? 'multipart/form-data; boundary=fuzz'
          : 'application/json',
    },
    body: json,
  };
}
