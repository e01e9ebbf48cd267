/**
 * A socket's event budget (docs/proctoring.md "Limits"): `rate` events a second with bursts of `burst`. Refusals
 * fill a second bucket that drains at a tenth of the rate; once it holds `ABUSE_FACTOR × burst` refusals the client
 * keeps flooding after being told, and the socket is dropped. Monotonic time (performance.now), not the app's
 * Clock: this paces a connection, it is no business rule, and tests that move the Clock must not freeze it.
 */
const ABUSE_FACTOR = 5;

export type Verdict = 'ok' | 'limited' | 'abuse';

export class TokenBucket {
  private tokens: number;
  private strikes = 0;
  private at = performance.now();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): Verdict {
    const now = performance.now();
    const elapsed = (now - this.at) / 1000;
    this.at = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
    this.strikes = Math.max(0, this.strikes - (elapsed * this.rate) / 10);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    this.strikes += 1;
    return this.strikes >= ABUSE_FACTOR * this.burst ? 'abuse' : 'limited';
  }
}
