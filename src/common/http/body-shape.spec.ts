import { AppError } from '../errors/app-error';
import {
  bodyShapeError,
  bodyShapeMiddleware,
  checkJsonBytes,
  MAX_BODY_DEPTH,
  MAX_BODY_NODES,
  MAX_OBJECT_KEYS,
  verifyJsonBytes,
} from './body-shape';

const nest = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
};

const wide = (keys: number) => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));

/** Both checks, on the text and on the parsed value, must agree on every body. */
function both(body: unknown): [AppError | null, AppError | null] {
  const text = JSON.stringify(body);
  return [checkJsonBytes(Buffer.from(text)), bodyShapeError(JSON.parse(text))];
}

describe('body shape limits', () => {
  it('passes ordinary bodies, including long arrays of entries (a submission of 500 rich entries)', () => {
    const entry = {
      question: 'Q?',
      answer: 'A "quoted" \\ answer, with: punctuation {}[]',
      competency: 'x',
      score: 3,
      ok: true,
      n: null,
    };
    const submission = {
      candidate_name: 'Ada',
      test_type: 'SJT',
      conversation_history: Array.from({ length: 500 }, () => ({ ...entry })),
    };
    expect(both(submission)).toEqual([null, null]);
    expect(both(nest(MAX_BODY_DEPTH))).toEqual([null, null]);
    expect(both(wide(MAX_OBJECT_KEYS))).toEqual([null, null]);
    expect(both(Array.from({ length: MAX_BODY_NODES - 1 }, () => 0))).toEqual([null, null]);
    expect(both({ emoji: 'paired \ud83d\ude00 surrogates are fine', 'ключ "κλειδί"': ['€', '日本語'] })).toEqual([
      null,
      null,
    ]);
  });

  it('refuses nesting deeper than MAX_BODY_DEPTH, without recursing on hostile nesting', () => {
    for (const error of both(nest(MAX_BODY_DEPTH + 1)))
      expect(error).toMatchObject({ status: 400, code: 'BODY_TOO_DEEP' });
    expect(checkJsonBytes(Buffer.from('['.repeat(200_000) + ']'.repeat(200_000)))).toMatchObject({
      code: 'BODY_TOO_DEEP',
    });
    expect(bodyShapeError(nest(200_000))).toMatchObject({ code: 'BODY_TOO_DEEP' });
  });

  it('refuses an object with more than MAX_OBJECT_KEYS keys, naming it', () => {
    const [text, value] = both({ outer: { inner: wide(MAX_OBJECT_KEYS + 1) } });
    expect(text).toMatchObject({ status: 400, code: 'BODY_TOO_WIDE', errors: [{ field: 'body' }] });
    expect(value).toMatchObject({ status: 400, code: 'BODY_TOO_WIDE', errors: [{ field: 'outer.inner' }] });
  });

  it('refuses more than MAX_BODY_NODES values in all (arrays count every element)', () => {
    for (const error of both(Array.from({ length: MAX_BODY_NODES }, () => 'x'))) {
      expect(error).toMatchObject({ status: 400, code: 'BODY_TOO_COMPLEX' });
    }
    const objects = { list: Array.from({ length: MAX_BODY_NODES / 4 }, () => ({ a: 1, b: [2] })) };
    for (const error of both(objects)) expect(error).toMatchObject({ code: 'BODY_TOO_COMPLEX' });
  });

  it('the text check is linear: 110,000 keys are refused in milliseconds, before JSON.parse', () => {
    const bytes = Buffer.from(JSON.stringify(wide(110_000)));
    const started = process.hrtime.bigint();
    expect(checkJsonBytes(bytes)).toMatchObject({ code: 'BODY_TOO_WIDE' });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
  });

  it('leaves invalid JSON to the parser (no false alarm, no throw)', () => {
    for (const text of ['{"a":', '{"a" 1}', '"unterminated', ']]]]', '{,,,}', 'tru', '{"a\\', '']) {
      expect(() => checkJsonBytes(Buffer.from(text))).not.toThrow();
    }
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s key anywhere, like an unknown field', (key) => {
    const body = JSON.parse(`{"email":"a@b.c","config_data":{"list":[{"ok":1,"${key}":{"isAdmin":true}}]}}`);
    expect(bodyShapeError(body)).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      errors: [{ field: `config_data.list[0].${key}`, message: `unknown field "${key}"` }],
    });
  });

  it('refuses NUL and lone surrogates in strings and keys, naming the field', () => {
    expect(bodyShapeError(JSON.parse('{"email":"a\\u0000@b.c"}'))).toMatchObject({
      code: 'VALIDATION_ERROR',
      errors: [{ field: 'email', message: 'email must not contain the NUL character' }],
    });
    expect(bodyShapeError(JSON.parse('{"conversation_history":[{"answer":"x"},{"answer":"\\ud800"}]}'))).toMatchObject({
      errors: [
        {
          field: 'conversation_history[1].answer',
          message: 'conversation_history[1].answer must not contain unpaired UTF-16 surrogates',
        },
      ],
    });
    expect(bodyShapeError(JSON.parse('{"config_data":{"\\udc00":1}}'))).toMatchObject({
      errors: [{ field: 'config_data.\udc00', message: expect.stringContaining('key must not contain unpaired') }],
    });
    expect(bodyShapeError(JSON.parse('["\\u0000"]'))).toMatchObject({ errors: [{ field: 'body[0]' }] });
  });
});

describe('verifyJsonBytes (the JSON parser hook)', () => {
  it('throws the limit error on the raw bytes, in the given charset', () => {
    const raw = Buffer.from(JSON.stringify(wide(MAX_OBJECT_KEYS + 1)));
    expect(() => verifyJsonBytes({} as never, {} as never, raw, 'utf-8')).toThrow(AppError);
    const utf16 = Buffer.from(JSON.stringify(wide(MAX_OBJECT_KEYS + 1)), 'utf16le');
    expect(() => verifyJsonBytes({} as never, {} as never, utf16, 'utf-16le')).toThrow(
      expect.objectContaining({ code: 'BODY_TOO_WIDE' }),
    );
    expect(() => verifyJsonBytes({} as never, {} as never, Buffer.from('{"a":1}'), 'utf-8')).not.toThrow();
  });

  it('refuses a charset it cannot decode with a 415', () => {
    expect(() => verifyJsonBytes({} as never, {} as never, Buffer.from('{}'), 'utf-7')).toThrow(
      expect.objectContaining({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }),
    );
  });
});

describe('bodyShapeMiddleware', () => {
  const run = (body: unknown) => {
    const next = jest.fn();
    bodyShapeMiddleware({ body } as never, {} as never, next);
    return next.mock.calls[0][0] as unknown;
  };

  it('passes ordinary and absent bodies', () => {
    expect(run(undefined)).toBeUndefined();
    expect(run({ email: 'a@b.c' })).toBeUndefined();
  });

  it('hands a refused body to the error filter', () => {
    expect(run(nest(MAX_BODY_DEPTH + 1))).toMatchObject({ status: 400, code: 'BODY_TOO_DEEP' });
  });
});
