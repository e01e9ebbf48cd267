import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { bearer, createUser, loginAs, Tokens, UserRow } from '../setup/factories';
import { createTestApp, TestApp } from '../setup/test-app';

/*
 * A dependency failing must never log users out or lock them out (README.md, "Outages"): while PostgreSQL is
 * stopped or frozen every request answers 503 SERVICE_UNAVAILABLE with Retry-After and the standard error body —
 * never 401, never 500 — and the app recovers by itself once the database is back, with the same tokens and
 * without a login lock-out. This file owns its cluster, so it can stop, restart and freeze it.
 */

/** DB_CONNECT_TIMEOUT_MS and DB_STATEMENT_TIMEOUT_MS of the app under test. */
const DB_TIMEOUT_MS = 1000;
/** A statement gives up on a silent server after DB_STATEMENT_TIMEOUT_MS + 1 s; its dropped connection fails the rest. */
const FROZEN_RESPONSE_BUDGET_MS = 2 * (DB_TIMEOUT_MS + 1000) + 1500;
/** From "the database accepts connections again" to the first successful authenticated request. */
const RECOVERY_BUDGET_MS = 3000;
const WRONG = 'Wrong-password-1';
/** What the load sends, back to back. */
const KINDS = ['me', 'sessions', 'submissions', 'login', 'refresh'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectUnavailable(res: Response, what = ''): void {
  const summary = `${what} → ${res.status} ${JSON.stringify(res.body)}`;
  expect({ summary, status: res.status }).toEqual({ summary, status: 503 });
  expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(res.body).toEqual({
    status_code: 503,
    code: 'SERVICE_UNAVAILABLE',
    detail: expect.any(String),
    path: expect.any(String),
    request_id: res.headers['x-request-id'],
  });
  expect(res.headers['www-authenticate']).toBeUndefined();
}

/** The postmaster and every process it forked (backends, checkpointer, …). */
function clusterPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after the last ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  if (children.length === 0) {
    // no procfs: ask pgrep
    const out = execFileSync('pgrep', ['-P', String(postmaster)]).toString();
    children.push(...out.split('\n').filter(Boolean).map(Number));
  }
  return [postmaster, ...children];
}

function signal(pids: number[], name: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

interface Sample {
  kind: string;
  res: Response;
  startedAt: number;
  endedAt: number;
}

describe('Database outage (e2e, own embedded cluster)', () => {
  let root: string;
  let dataDir: string;
  let pg: EmbeddedPostgresHandle;
  let t: TestApp;
  let user: UserRow;
  let tokens: Tokens;
  let frozen: number[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'trajectorie-outage-'));
    dataDir = join(root, 'cluster');
    pg = await startEmbeddedPostgres({ dataDir, database: 'outage' });
    t = await createTestApp(
      {
        DB_CONNECT_TIMEOUT_MS: String(DB_TIMEOUT_MS),
        DB_STATEMENT_TIMEOUT_MS: String(DB_TIMEOUT_MS),
        RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '3',
        RATE_LIMIT_REFRESH_LIMIT: '100000',
      },
      { databaseUrl: pg.url, runMigrations: true },
    );
    user = await createUser(t.db);
    tokens = await loginAs(t, user);
  });

  afterAll(async () => {
    signal(frozen, 'SIGCONT');
    await t?.close();
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const me = (token = tokens.access_token) => t.http().get('/auth/me').set('Authorization', `Bearer ${token}`);
  const login = (email: string, password: string) => t.http().post('/auth/login').send({ email, password });
  const refresh = (token: string) => t.http().post('/auth/refresh').send({ refresh_token: token });

  /** Until stopped: authenticated GETs, /auth/me, logins and refreshes (on a session of their own), back to back. */
  async function startLoad() {
    const loadTokens = await loginAs(t, user);
    let refreshToken = loadTokens.refresh_token;
    const kinds: Record<string, () => Promise<Response>> = {
      me: () => me(loadTokens.access_token),
      sessions: () => t.http().get('/auth/sessions').set(bearer(loadTokens)),
      submissions: () => t.http().get('/api/v1/submissions').set(bearer(loadTokens)),
      login: () => login(user.email, user.password),
      refresh: async () => {
        const res = await refresh(refreshToken);
        if (res.status === 200) refreshToken = res.body.refresh_token;
        return res;
      },
    };
    const samples: Sample[] = [];
    let running = true;
    const workers = Object.entries(kinds).map(async ([kind, send]) => {
      while (running) {
        const startedAt = Date.now();
        const res = await send();
        samples.push({ kind, res, startedAt, endedAt: Date.now() });
        await sleep(15);
      }
    });
    return {
      samples,
      stop: async () => {
        running = false;
        await Promise.all(workers);
        return samples;
      },
    };
  }

  it('answers 503 + Retry-After while PostgreSQL is stopped, then recovers within ~1 s with the same tokens', async () => {
    const other = await createUser(t.db);
    const load = await startLoad();
    let downAt = 0;
    let restartAt = 0;
    let backAt = 0;
    try {
      while (load.samples.filter((s) => s.res.status === 200).length < 10) await sleep(20);

      const port = pg.port;
      await pg.stop();
      downAt = Date.now();
      await sleep(200);
      expectUnavailable(await me(), 'GET /auth/me');
      expectUnavailable(await t.http().get('/api/v1/submissions').set(bearer(tokens)), 'GET /api/v1/submissions');
      expectUnavailable(await refresh(tokens.refresh_token), 'POST /auth/refresh');
      // More attempts than the account's budget (3): none of them may count.
      for (let i = 0; i < 5; i++) expectUnavailable(await login(user.email, user.password), 'correct login');
      for (let i = 0; i < 5; i++) expectUnavailable(await login(other.email, WRONG), 'wrong-password login');
      await sleep(300);

      restartAt = Date.now();
      pg = await startEmbeddedPostgres({ dataDir, database: 'outage', port });
      backAt = Date.now();
      let recoveredAt = 0;
      while (!recoveredAt && Date.now() - backAt < 10_000) {
        const res = await me();
        if (res.status === 200) recoveredAt = Date.now();
        else expectUnavailable(res, 'GET /auth/me while recovering');
        if (!recoveredAt) await sleep(10);
      }
      expect(recoveredAt).toBeGreaterThan(0);
      expect(recoveredAt - backAt).toBeLessThan(RECOVERY_BUDGET_MS);
      // Each kind of request of the load sees the database back too (bounded: asserted below).
      const recovered = (kind: string) =>
        load.samples.some((s) => s.kind === kind && s.startedAt > backAt && s.res.status === 200);
      while (!KINDS.every(recovered) && Date.now() - recoveredAt < 10_000) await sleep(20);
    } finally {
      await load.stop();
    }

    // Under load, every answer was a success or the standard 503: never a 401 (clients would log out), never a 500.
    const unexpected = load.samples.filter((s) => s.res.status !== 200 && s.res.status !== 503);
    expect(unexpected.map((s) => `${s.kind} ${s.res.status} ${JSON.stringify(s.res.body)}`)).toEqual([]);
    for (const s of load.samples.filter((x) => x.res.status === 503)) expectUnavailable(s.res, s.kind);
    const whileDown = load.samples.filter((s) => s.startedAt >= downAt && s.endedAt <= restartAt);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.filter((s) => s.res.status !== 503).map((s) => `${s.kind} ${s.res.status}`)).toEqual([]);
    for (const kind of KINDS) {
      const after = load.samples.filter((s) => s.kind === kind && s.startedAt > backAt);
      expect({ kind, recovered: after.some((s) => s.res.status === 200) }).toEqual({ kind, recovered: true });
    }

    // The tokens issued before the outage still work, and nobody is locked out.
    expect((await me().expect(200)).body.id).toBe(user.id);
    const rotated = await refresh(tokens.refresh_token).expect(200);
    tokens = rotated.body as Tokens;
    await me().expect(200);
    await login(user.email, user.password).expect(200);
    // The wrong passwords sent during the outage did not count: the full budget (3) is still there.
    for (let i = 0; i < 3; i++) await login(other.email, WRONG).expect(401);
    expect((await login(other.email, WRONG)).status).toBe(429);
  });

  it('answers 503 within the configured timeouts while PostgreSQL is frozen (SIGSTOP), then recovers on SIGCONT', async () => {
    await me().expect(200);
    frozen = clusterPids(dataDir);
    expect(frozen.length).toBeGreaterThan(1);
    let resumedAt = 0;
    try {
      signal(frozen, 'SIGSTOP');
      const timed = async (what: string, send: () => Promise<Response>) => {
        const startedAt = Date.now();
        const res = await send();
        return { what, res, ms: Date.now() - startedAt };
      };
      const results = await Promise.all([
        timed('GET /auth/me', () => me()),
        timed('GET /auth/sessions', () => t.http().get('/auth/sessions').set(bearer(tokens))),
        timed('GET /api/v1/submissions', () => t.http().get('/api/v1/submissions').set(bearer(tokens))),
        timed('POST /auth/login', () => login(user.email, user.password)),
        timed('POST /auth/refresh', () => refresh(tokens.refresh_token)),
      ]);
      for (const { what, res, ms } of results) {
        expectUnavailable(res, what);
        expect({ what, withinBudget: ms < FROZEN_RESPONSE_BUDGET_MS, ms }).toMatchObject({ what, withinBudget: true });
      }
      // Still frozen: a second wave is answered just as promptly (connections stuck on the first wave were dropped).
      const again = await timed('GET /auth/me', () => me());
      expectUnavailable(again.res, again.what);
      expect(again.ms).toBeLessThan(FROZEN_RESPONSE_BUDGET_MS);
    } finally {
      signal(frozen, 'SIGCONT');
      resumedAt = Date.now();
      frozen = [];
    }

    let recoveredAt = 0;
    while (!recoveredAt && Date.now() - resumedAt < 10_000) {
      const res = await me();
      if (res.status === 200) recoveredAt = Date.now();
      else expectUnavailable(res, 'GET /auth/me after SIGCONT');
      if (!recoveredAt) await sleep(10);
    }
    expect(recoveredAt).toBeGreaterThan(0);
    expect(recoveredAt - resumedAt).toBeLessThan(RECOVERY_BUDGET_MS);
    await login(user.email, user.password).expect(200);
    const rotated = await refresh(tokens.refresh_token).expect(200);
    await me(rotated.body.access_token).expect(200);

    // No pooled connection was left inside a transaction the frozen server started late.
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(count).toBe(0);
  });
});

describe('Redis unreachable (e2e)', () => {
  let t: TestApp;

  // The app still boots (Redis may come up after it); what needs Redis answers 503 until it does.
  beforeAll(async () => {
    t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => t?.close());

  it('boots, answers 503 (not 500) to login, refresh and register, and keeps serving what does not need Redis', async () => {
    const user = await createUser(t.db);
    const login = await t.http().post('/auth/login').send({ email: user.email, password: user.password });
    expectUnavailable(login, 'POST /auth/login');
    const refresh = await t
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: 'x'.repeat(43) });
    expectUnavailable(refresh, 'POST /auth/refresh');
    const register = await t
      .http()
      .post('/auth/register')
      .send({ email: 'nobody@example.test', password: 'Register-pass-1', full_name: 'Nobody' });
    expectUnavailable(register, 'POST /auth/register');

    const health = await t.http().get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', database: 'connected', redis: 'disconnected' });
    await t.http().get('/').expect(200);
  });
});
