import { textProblem, TextSafetyPipe } from './text-safety';

describe('textProblem', () => {
  it('accepts ordinary text, including paired surrogates (emoji)', () => {
    for (const value of ['', 'plain', 'élève 日本語', 'emoji \u{1F600}', 'tab\tand newline\n'])
      expect(textProblem(value)).toBeNull();
  });

  it('refuses NUL and unpaired surrogates (high or low, anywhere)', () => {
    expect(textProblem('a\u0000b')).toBe('must not contain the NUL character');
    for (const value of ['\ud800', 'x\udbffy', '\udc00', 'x\udfff', '\ude00\ud83d']) {
      expect(textProblem(value)).toBe('must not contain unpaired UTF-16 surrogates');
    }
  });
});

describe('TextSafetyPipe', () => {
  const pipe = new TextSafetyPipe();
  const run = (value: unknown, type: 'query' | 'param' | 'body' | 'custom', data?: string) => {
    try {
      return pipe.transform(value, { type, data });
    } catch (error) {
      return error;
    }
  };

  it('names the query or path parameter that carries NUL', () => {
    expect(run({ search: 'ok', candidate_id: ['a', 'b\u0000'] }, 'query')).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      errors: [{ field: 'candidate_id.1', message: 'candidate_id.1 must not contain the NUL character' }],
    });
    expect(run('x\u0000', 'param', 'email')).toMatchObject({ errors: [{ field: 'email' }] });
  });

  it('passes clean values unchanged, and leaves bodies to the body-shape check', () => {
    const query = { skip: '10', search: 'élève' };
    expect(run(query, 'query')).toBe(query);
    expect(run('a\u0000', 'body')).toBe('a\u0000');
    expect(run('a\u0000', 'custom')).toBe('a\u0000');
  });
});
