import { join } from 'node:path';
import { createBenchDatabase, seedUser } from './lib/database';
import { load } from './lib/load';
import { childEnv, startChild } from './lib/processes';

async function main() {
  const db = await createBenchDatabase();
  const user = await seedUser(db.url, 10);
  const app = startChild('app', 'server.ts', childEnv({
    DATABASE_URL: db.url, DB_POOL_SIZE: '10', UV_THREADPOOL_SIZE: '4', ENVIRONMENT: 'test', LOG_LEVEL: 'silent',
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789', BCRYPT_COST: '10', MIGRATIONS_RUN: 'false',
    RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '1000000', RATE_LIMIT_LOGIN_IP_LIMIT: '1000000',
  }), { nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/benchprobe'] });
  const ready = await app.next('ready');
  const base = `http://127.0.0.1:${ready.port}`;
  const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const what = process.argv[2] ?? 'me';
  const url = what === 'me' ? `${base}/auth/me` : `${base}/health`;
  const r = await load({ url, connections: 16, headers: { authorization: `Bearer ${token}` } }, { warmupSeconds: 1, durationSeconds: 5 });
  console.log(what, r.rps, r.latencyMs);
  await app.stop();
  await db.drop();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
void join;
