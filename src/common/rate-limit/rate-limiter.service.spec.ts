import { AppError } from '../errors/app-error';
import { MemoryRateLimitStore } from './rate-limit.store';
import { Attempt, RateLimiterService } from './rate-limiter.service';

describe('RateLimiterService', () => {
  let store: MemoryRateLimitStore;
  let limiter: RateLimiterService;
  const perAccount = { limit: 2, windowSeconds: 60 };
  const perIp = { limit: 3, windowSeconds: 900 };
  const buckets = (account: string) => [
    { key: 'ip', rule: perIp },
    { key: `account:${account}`, rule: perAccount },
  ];

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    store = new MemoryRateLimitStore();
    limiter = new RateLimiterService(store);
  });
  afterEach(async () => {
    await limiter.onApplicationShutdown();
    jest.useRealTimers();
  });

  const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  };

  it('allows up to the limit, then throws 429 RATE_LIMITED with Retry-After in whole seconds', async () => {
    await limiter.consume(buckets('a'));
    jest.advanceTimersByTime(500);
    await limiter.consume(buckets('a'));
    const error = await rejection(limiter.consume(buckets('a')));
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', headers: { 'Retry-After': '60' } });
  });

  it('gives every unit back when refused, so hammering does not extend the lock-out', async () => {
    await limiter.consume(buckets('a'));
    await limiter.consume(buckets('a'));
    for (let i = 0; i < 5; i++) await rejection(limiter.consume(buckets('a')));
    // The IP bucket holds 2, not 7: one more account may still use it once.
    await limiter.consume(buckets('b'));
    const error = await rejection(limiter.consume(buckets('c')));
    expect(error.headers).toEqual({ 'Retry-After': '900' });
  });

  it('reports the longest wait when several buckets are over', async () => {
    const short = { limit: 1, windowSeconds: 10 };
    const long = { limit: 1, windowSeconds: 100 };
    await limiter.consume([
      { key: 's', rule: short },
      { key: 'l', rule: long },
    ]);
    const error = await rejection(
      limiter.consume([
        { key: 's', rule: short },
        { key: 'l', rule: long },
      ]),
    );
    expect(error.headers).toEqual({ 'Retry-After': '100' });
  });

  it('refund returns the consumed units (a successful login does not count)', async () => {
    for (let i = 0; i < 5; i++) await limiter.refund(await limiter.consume(buckets('a')));
    await limiter.consume(buckets('a'));
    await limiter.consume(buckets('a'));
    await rejection(limiter.consume(buckets('a')));
  });

  it('never sends Retry-After: 0', async () => {
    const rule = { limit: 1, windowSeconds: 1 };
    await limiter.consume([{ key: 'k', rule }]);
    jest.advanceTimersByTime(999);
    const error = await rejection(limiter.consume([{ key: 'k', rule }]));
    expect(error.headers).toEqual({ 'Retry-After': '1' });
  });
});

describe('RateLimiterService.reserve (failure-only budgets)', () => {
  let store: MemoryRateLimitStore;
  let limiter: RateLimiterService;
  const rule = { limit: 3, windowSeconds: 900 };
  const buckets = [
    { key: 'ip', rule: { limit: 10, windowSeconds: 900 } },
    { key: 'account', rule },
  ];

  beforeEach(() => {
    store = new MemoryRateLimitStore();
    limiter = new RateLimiterService(store, { maxWaitMs: 2_000, leaseMs: 60_000 });
  });
  afterEach(() => limiter.onApplicationShutdown());

  const outcome = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (e: AppError) => `${e.status} ${e.code}`,
    );

  it('lets any number of concurrent successes through: a slot held in flight makes the next one wait, not fail', async () => {
    // 12 attempts at once on a budget of 3: each holds its slot while "checking the password", then succeeds.
    const results = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const attempt = await limiter.reserve(buckets);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await attempt.release();
        return 'ok';
      }),
    );
    expect(results).toEqual(Array(12).fill('ok'));
    // Nothing was counted: three failures are still allowed, the fourth attempt is refused.
    for (let i = 0; i < 3; i++) await (await limiter.reserve(buckets)).fail();
    expect(await outcome(limiter.reserve(buckets))).toBe('429 RATE_LIMITED');
  });

  it('gives N concurrent wrong guesses exactly `limit` checks; the rest are 429 without a check', async () => {
    let checks = 0;
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        outcome(
          limiter.reserve(buckets).then(async (attempt: Attempt) => {
            checks += 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
            await attempt.fail();
          }),
        ),
      ),
    );
    expect(checks).toBe(3);
    expect(results.filter((r) => r === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r === '429 RATE_LIMITED')).toHaveLength(9);
  });

  it('does not count an attempt released after an error (a database outage is not a wrong password)', async () => {
    for (let i = 0; i < 20; i++) await (await limiter.reserve(buckets)).release();
    await (await limiter.reserve(buckets)).fail();
    await (await limiter.reserve(buckets)).fail();
    const last = await limiter.reserve(buckets);
    expect((await last.fail()).map((hit) => hit.count)).toEqual([3, 3]);
    const error = await limiter.reserve(buckets).catch((e: AppError) => e);
    expect(error).toMatchObject({ status: 429, headers: { 'Retry-After': '900' } });
  });

  it('settles once: a second release or fail is a no-op', async () => {
    const attempt = await limiter.reserve([{ key: 'k', rule: { limit: 1, windowSeconds: 60 } }]);
    await attempt.fail();
    await attempt.fail();
    await attempt.release();
    const error = await limiter.reserve([{ key: 'k', rule: { limit: 2, windowSeconds: 60 } }]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeNull(); // one failure recorded, not two
  });

  it('answers 503 when slots stay held by attempts that never settle, and frees them when the lease ends', async () => {
    limiter = new RateLimiterService(store, { maxWaitMs: 50, leaseMs: 200 });
    const one = [{ key: 'stuck', rule: { limit: 1, windowSeconds: 60 } }];
    await limiter.reserve(one); // its instance "dies": never settled
    const error = await limiter.reserve(one).catch((e: AppError) => e);
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', headers: { 'Retry-After': '1' } });
    await new Promise((resolve) => setTimeout(resolve, 250));
    await (await limiter.reserve(one)).release();
  });
});
