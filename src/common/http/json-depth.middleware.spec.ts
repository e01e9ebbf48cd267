import { AppError } from '../errors/app-error';
import { jsonDepth, jsonDepthMiddleware, MAX_BODY_DEPTH } from './json-depth.middleware';

const nest = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('jsonDepth', () => {
  it('counts object and array levels; scalars are depth 0', () => {
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: null }] })).toBe(3);
    expect(jsonDepth(nest(100))).toBe(100);
  });

  it('stops early on hostile nesting without recursing', () => {
    expect(jsonDepth(nest(200_000))).toBe(MAX_BODY_DEPTH + 1);
  });
});

describe('jsonDepthMiddleware', () => {
  const run = (body: unknown) => {
    const next = jest.fn();
    jsonDepthMiddleware({ body } as never, {} as never, next);
    return next.mock.calls[0][0] as unknown;
  };

  it('passes ordinary and absent bodies', () => {
    expect(run(undefined)).toBeUndefined();
    expect(run(nest(MAX_BODY_DEPTH))).toBeUndefined();
  });

  it('refuses deeper bodies with a 400', () => {
    const error = run(nest(MAX_BODY_DEPTH + 1)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('BODY_TOO_DEEP');
  });
});
