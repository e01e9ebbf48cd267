import { AppError } from '../../common/errors/app-error';
import { attemptAllowance, planCompletion } from './submission-rules';
import { jsonStorageProblem } from './dto/json-storable';

describe('planCompletion', () => {
  const submitted = { status: 'submitted' as const, analysis_completed: false };
  const completed = { status: 'completed' as const, analysis_completed: true };

  it('analysis_completed: true alone completes and records the time', () => {
    expect(planCompletion(submitted, undefined, true)).toEqual({
      status: 'completed',
      analysis_completed: true,
      completed_at: 'record',
    });
  });

  it('status "completed" alone sets analysis_completed', () => {
    expect(planCompletion(submitted, 'completed')).toEqual({
      status: 'completed',
      analysis_completed: true,
      completed_at: 'record',
    });
  });

  it('re-completing a completed submission records the time again and changes nothing else', () => {
    expect(planCompletion(completed, 'completed', true)).toEqual({ completed_at: 'record' });
  });

  it('leaving "completed" clears the completion', () => {
    expect(planCompletion(completed, 'analyzing')).toEqual({
      status: 'analyzing',
      analysis_completed: false,
      completed_at: 'clear',
    });
    expect(planCompletion(completed, undefined, false)).toEqual({
      status: 'submitted',
      analysis_completed: false,
      completed_at: 'clear',
    });
  });

  it('moves between the other states without touching completion', () => {
    expect(planCompletion(submitted, 'analyzing')).toEqual({ status: 'analyzing', completed_at: 'keep' });
    expect(planCompletion({ status: 'analyzing', analysis_completed: false }, 'failed')).toEqual({
      status: 'failed',
      completed_at: 'keep',
    });
    expect(planCompletion(submitted, undefined, false)).toEqual({ completed_at: 'keep' });
    expect(planCompletion(submitted)).toEqual({ completed_at: 'keep' });
  });

  it('contradictions are a 400', () => {
    for (const [status, done] of [
      ['failed', true],
      ['completed', false],
    ] as const) {
      expect(() => planCompletion(submitted, status, done)).toThrow(AppError);
      try {
        planCompletion(submitted, status, done);
      } catch (error) {
        expect((error as AppError).code).toBe('INCONSISTENT_COMPLETION');
        expect((error as AppError).status).toBe(400);
      }
    }
  });
});

describe('attemptAllowance', () => {
  it('limits candidates, never below zero remaining', () => {
    expect(attemptAllowance('candidate', 1, 3)).toEqual({ max_attempts: 3, remaining: 2, exhausted: false });
    expect(attemptAllowance('candidate', 3, 3)).toEqual({ max_attempts: 3, remaining: 0, exhausted: true });
    expect(attemptAllowance('candidate', 5, 3)).toEqual({ max_attempts: 3, remaining: 0, exhausted: true });
  });

  it('does not limit staff', () => {
    for (const role of ['admin', 'superadmin', 'proctor']) {
      expect(attemptAllowance(role, 99, 3)).toEqual({ max_attempts: null, remaining: null, exhausted: false });
    }
  });
});

describe('jsonStorageProblem', () => {
  it('accepts ordinary JSON, emoji included', () => {
    expect(
      jsonStorageProblem([{ question: 'Q', answer: 'A 😀', n: 1.5, ok: true, none: null, list: [1, [2]] }]),
    ).toBeNull();
  });

  it('rejects what jsonb cannot hold', () => {
    expect(jsonStorageProblem({ a: 'x\u0000y' })).toMatch(/NUL/);
    expect(jsonStorageProblem({ ['k\u0000']: 1 })).toMatch(/NUL/);
    expect(jsonStorageProblem(['\ud800'])).toMatch(/surrogate/);
    expect(jsonStorageProblem(['a\udc00'])).toMatch(/surrogate/);
  });

  it('bounds the nesting depth without recursing', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(jsonStorageProblem(deep)).toMatch(/nested deeper than 64/);
    let fine: unknown = 'leaf';
    for (let i = 0; i < 60; i += 1) fine = { inner: fine };
    expect(jsonStorageProblem(fine)).toBeNull();
  });
});
