import type Redis from 'ioredis';
import { DEPENDENCY_RETRY_AFTER_SECONDS } from '../errors/dependency-error';
import { SERVICE_UNAVAILABLE } from '../errors/common.errors';

export interface Hit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/** One budget of failures: at most `limit` per fixed window of `windowMs`. */
export interface FailureBucket {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * - `granted`: the attempt holds a slot in every bucket until it is settled (or its lease runs out);
 * - `denied`: recorded failures alone fill a bucket — wait `retryMs`;
 * - `busy`: failures plus attempts still in flight fill a bucket — ask again once one of those settles.
 */
export type ReserveOutcome = { status: 'granted' } | { status: 'denied'; retryMs: number } | { status: 'busy' };

/**
 * Fixed-window counters, atomic, so N instances sharing Redis share one budget.
 *
 * `hit`/`refund` count every request (register, refresh). `reserve`/`settle` count failures only (login, password
 * checks): an attempt reserves a slot before checking the password and settles it afterwards — as a failure (the
 * counter goes up) or not (the slot is just freed). Recorded failures plus attempts in flight never exceed the
 * limit, so N concurrent wrong guesses get at most `limit` password checks; a success or a database error never
 * counts, and a slot only held by attempts in flight makes the next attempt wait (`busy`), never fail.
 */
export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<Hit>;
  refund(key: string): Promise<void>;
  reserve(buckets: FailureBucket[], id: string, leaseMs: number): Promise<ReserveOutcome>;
  /** Frees attempt `id`'s slots; when `failed`, records a failure. Returns each bucket's failures. */
  settle(buckets: FailureBucket[], id: string, failed: boolean): Promise<Hit[]>;
  close(): Promise<void>;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  /** Attempts in flight per bucket: id → lease end. */
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly sweeper = setInterval(() => this.sweep(), 60_000).unref();

  async hit(key: string, windowMs: number): Promise<Hit> {
    return this.hitAt(key, windowMs, Date.now());
  }

  async refund(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
  }

  async reserve(buckets: FailureBucket[], id: string, leaseMs: number): Promise<ReserveOutcome> {
    const now = Date.now();
    let retryMs = 0;
    let busy = false;
    for (const { key, limit } of buckets) {
      const failures = this.failures(key, now);
      if (failures.count >= limit) {
        retryMs = Math.max(retryMs, failures.resetMs);
      } else if (failures.count + this.inFlight(key, now).size >= limit) {
        busy = true;
      }
    }
    if (retryMs > 0) return { status: 'denied', retryMs };
    if (busy) return { status: 'busy' };
    for (const { key } of buckets) this.inFlight(key, now).set(id, now + leaseMs);
    return { status: 'granted' };
  }

  async settle(buckets: FailureBucket[], id: string, failed: boolean): Promise<Hit[]> {
    const now = Date.now();
    return buckets.map(({ key, windowMs }) => {
      const inFlight = this.pending.get(key);
      inFlight?.delete(id);
      if (inFlight?.size === 0) this.pending.delete(key);
      return failed ? this.hitAt(key, windowMs, now) : this.failures(key, now);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private hitAt(key: string, windowMs: number, now: number): Hit {
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetMs: window.resetAt - now };
  }

  private failures(key: string, now: number): Hit {
    const window = this.windows.get(key);
    return window && window.resetAt > now
      ? { count: window.count, resetMs: window.resetAt - now }
      : { count: 0, resetMs: 0 };
  }

  /** The live leases of a bucket (expired ones dropped: their holder died without settling). */
  private inFlight(key: string, now: number): Map<string, number> {
    let leases = this.pending.get(key);
    if (!leases) {
      leases = new Map();
      this.pending.set(key, leases);
    }
    for (const [id, until] of leases) if (until <= now) leases.delete(id);
    return leases;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    for (const [key, leases] of this.pending) {
      for (const [id, until] of leases) if (until <= now) leases.delete(id);
      if (leases.size === 0) this.pending.delete(key);
    }
  }
}

const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

const REFUND_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

// KEYS: per bucket its failure counter, then its sorted set of attempts in flight (score: lease end, Redis time).
// ARGV: attempt id, lease ms, then per bucket limit and window ms.
const RESERVE_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local id, lease = ARGV[1], tonumber(ARGV[2])
local wait, busy = 0, false
for i = 1, #KEYS / 2 do
  local counter, pending = KEYS[2 * i - 1], KEYS[2 * i]
  local limit = tonumber(ARGV[1 + 2 * i])
  local failures = tonumber(redis.call('GET', counter) or '0')
  if failures >= limit then
    local ttl = redis.call('PTTL', counter)
    if ttl < 0 then ttl = tonumber(ARGV[2 + 2 * i]); redis.call('PEXPIRE', counter, ttl) end
    if ttl > wait then wait = ttl end
  else
    redis.call('ZREMRANGEBYSCORE', pending, '-inf', now)
    if failures + redis.call('ZCARD', pending) >= limit then busy = true end
  end
end
if wait > 0 then return {0, wait} end
if busy then return {1, 0} end
for i = 1, #KEYS / 2 do
  redis.call('ZADD', KEYS[2 * i], now + lease, id)
  redis.call('PEXPIRE', KEYS[2 * i], lease)
end
return {2, 0}`;

// KEYS as for RESERVE_SCRIPT. ARGV: attempt id, 1 when it failed (else 0), then per bucket its window ms.
const SETTLE_SCRIPT = `
local result = {}
for i = 1, #KEYS / 2 do
  local counter, pending = KEYS[2 * i - 1], KEYS[2 * i]
  redis.call('ZREM', pending, ARGV[1])
  local count
  if ARGV[2] == '1' then
    count = redis.call('INCR', counter)
    if count == 1 then redis.call('PEXPIRE', counter, ARGV[2 + i]) end
  else
    count = tonumber(redis.call('GET', counter) or '0')
  end
  local ttl = redis.call('PTTL', counter)
  if count > 0 and ttl < 0 then redis.call('PEXPIRE', counter, ARGV[2 + i]); ttl = tonumber(ARGV[2 + i]) end
  if ttl < 0 then ttl = 0 end
  result[2 * i - 1] = count
  result[2 * i] = ttl
end
return result`;

export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'trajectorie:rl:',
  ) {}

  async hit(key: string, windowMs: number): Promise<Hit> {
    const [count, ttl] = (await this.connected().eval(HIT_SCRIPT, 1, this.prefix + key, windowMs)) as [number, number];
    return { count, resetMs: ttl };
  }

  async refund(key: string): Promise<void> {
    await this.connected().eval(REFUND_SCRIPT, 1, this.prefix + key);
  }

  async reserve(buckets: FailureBucket[], id: string, leaseMs: number): Promise<ReserveOutcome> {
    const args = buckets.flatMap(({ limit, windowMs }) => [limit, windowMs]);
    const [status, retryMs] = (await this.connected().eval(
      RESERVE_SCRIPT,
      buckets.length * 2,
      ...this.keys(buckets),
      id,
      leaseMs,
      ...args,
    )) as [number, number];
    if (status === 0) return { status: 'denied', retryMs };
    return status === 1 ? { status: 'busy' } : { status: 'granted' };
  }

  async settle(buckets: FailureBucket[], id: string, failed: boolean): Promise<Hit[]> {
    const flat = (await this.connected().eval(
      SETTLE_SCRIPT,
      buckets.length * 2,
      ...this.keys(buckets),
      id,
      failed ? 1 : 0,
      ...buckets.map(({ windowMs }) => windowMs),
    )) as number[];
    return buckets.map((_, i) => ({ count: flat[2 * i], resetMs: flat[2 * i + 1] }));
  }

  async close(): Promise<void> {
    // the Redis connection is owned by RedisModule
  }

  /**
   * While disconnected, fail at once (503) rather than queue: a queued script would run after reconnecting, long
   * after its caller was answered — a phantom hit or reservation.
   */
  private connected(): Redis {
    if (this.redis.status !== 'ready') {
      throw SERVICE_UNAVAILABLE(DEPENDENCY_RETRY_AFTER_SECONDS, 'Rate limiting is temporarily unavailable');
    }
    return this.redis;
  }

  /** The failure counter keeps the plain key (as `hit` does); attempts in flight live under `pending:`. */
  private keys(buckets: FailureBucket[]): string[] {
    return buckets.flatMap(({ key }) => [this.prefix + key, `${this.prefix}pending:${key}`]);
  }
}
