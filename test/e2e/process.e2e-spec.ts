import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import * as bcrypt from 'bcrypt';
import { Client } from 'pg';
import { runMigrations } from '../../src/database/migrate';
import { createTestDatabase } from '../setup/test-db';
import { TEST_SECRET } from '../setup/test-app';

const ROOT = join(__dirname, '..', '..');

/** Runs src/main.ts as a real process (ts-node, transpile only), as `npm start` would run the build. */
function startMain(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
}

function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out, exit };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

describe('The app as a process', () => {
  it('refuses to start on a bad variable, naming it', async () => {
    const child = startMain({ PORT: 'eighty' });
    const { out, exit } = collect(child);
    expect(await exit).toBe(78);
    expect(out.stderr).toContain('PORT');
    expect(out.stderr).toContain('must be an integer');
  });

  it('refuses to start in production with the default secret', async () => {
    const child = startMain({ ENVIRONMENT: 'production' });
    const { out, exit } = collect(child);
    expect(await exit).toBe(78);
    expect(out.stderr).toContain('SECRET_KEY');
  });

  it('on SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const database = await createTestDatabase();
    await runMigrations(database.url);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    // A cost-13 hash makes the login take long enough to still be running when the signal arrives.
    await client.query(
      `INSERT INTO users (email, password_hash, full_name, role, tenant_id)
       VALUES ('slow@example.test', $1, 'Slow', 'admin', '00000000-0000-0000-0000-000000000001')`,
      [bcrypt.hashSync('Password-123', 13)],
    );
    await client.end();

    const child = startMain({
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      ENVIRONMENT: 'test',
      SECRET_KEY: TEST_SECRET,
      LOG_LEVEL: 'info',
    });
    const { out, exit } = collect(child);
    try {
      const port = await waitFor(() => out.stdout.match(/"port":(\d+)/)?.[1], 30_000);
      const login = fetch(`http://127.0.0.1:${port}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'slow@example.test', password: 'Password-123' }),
      });
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGTERM');
      const response = await login;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { user: { email: string } }).user.email).toBe('slow@example.test');
      expect(await exit).toBe(0);
      // The login was still running when shutdown began: its access-log line comes after the shutdown line.
      const shutdownAt = out.stdout.indexOf('Shutting down');
      expect(shutdownAt).toBeGreaterThan(-1);
      expect(out.stdout.indexOf('"url":"/auth/login"')).toBeGreaterThan(shutdownAt);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await database.drop();
    }
  });
});
