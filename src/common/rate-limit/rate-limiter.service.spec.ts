import { AppError } from '../errors/app-error';
import { MemoryRateLimitStore } from './rate-limit.store';
import { RateLimiterService } from './rate-limiter.service';

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
    await limiter.consume([{ key: 's', rule: short }, { key: 'l', rule: long }]);
    const error = await rejection(limiter.consume([{ key: 's', rule: short }, { key: 'l', rule: long }]));
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
