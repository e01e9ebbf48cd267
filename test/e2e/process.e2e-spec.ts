import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as bcrypt from 'bcrypt';
import { Client } from 'pg';
import { STALE_UPLOAD_MS } from '../../src/common/storage/storage-driver';
import { runMigrations } from '../../src/database/migrate';
import { filesUnder } from '../setup/media-upload';
import { distinctWebm, rawUpload, uploadBody } from '../setup/raw-upload';
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

/** A boot (embedded PostgreSQL, migrations, the app role's grants) takes seconds alone, a minute on a busy machine. */
const BOOT_WAIT_MS = 90_000;

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

  it('refuses to start in production as a role that bypasses row-level security (a superuser), naming the fix', async () => {
    const database = await createTestDatabase();
    try {
      const child = startMain({
        DATABASE_URL: database.url, // the tests' admin: a superuser
        MIGRATIONS_RUN: 'false',
        ENVIRONMENT: 'production',
        SECRET_KEY: `${TEST_SECRET}-production`,
        PORT: '0',
        HOST: '127.0.0.1',
      });
      const { out, exit } = collect(child);
      expect(await exit).toBe(78);
      expect(out.stderr).toContain('DATABASE_URL');
      expect(out.stderr).toMatch(/superuser.*NOBYPASSRLS.*DATABASE_MIGRATION_URL/s);
    } finally {
      await database.drop();
    }
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
      // Two roles, as in production: the owner migrates (and grants), the plain app role serves under RLS.
      DATABASE_URL: database.appUrl,
      DATABASE_MIGRATION_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      ENVIRONMENT: 'test',
      SECRET_KEY: TEST_SECRET,
      LOG_LEVEL: 'info',
    });
    const { out, exit } = collect(child);
    try {
      const port = await waitFor(() => out.stdout.match(/"port":(\d+)/)?.[1], BOOT_WAIT_MS);
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
  }, 200_000);
});

/** A tenant, a candidate in it (password Password-123) and, through the running app, a submission of theirs. */
async function seedCandidate(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const [tenant] = (
      await client.query(`INSERT INTO tenants (name, max_test_attempts) VALUES ('Uploads', 100) RETURNING id`)
    ).rows;
    await client.query(
      `INSERT INTO users (email, password_hash, full_name, role, tenant_id)
       VALUES ('uploader@example.test', $1, 'Uploader', 'candidate', $2)`,
      [bcrypt.hashSync('Password-123', 4), tenant.id],
    );
    return tenant.id as string;
  } finally {
    await client.end();
  }
}

async function loginAndSubmit(port: string): Promise<{ token: string; submissionId: string }> {
  const login = await fetch(`http://127.0.0.1:${port}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'uploader@example.test', password: 'Password-123' }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const submission = await fetch(`http://127.0.0.1:${port}/api/v1/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      candidate_name: 'Uploader',
      test_type: 'SJT',
      conversation_history: [{ question: 'Q1', answer: 'A1' }],
    }),
  });
  expect(submission.status).toBe(201);
  return { token, submissionId: ((await submission.json()) as { id: string }).id };
}

async function mediaRowsOf(
  databaseUrl: string,
  submissionId: string,
): Promise<{ id: string; storage_key: string; file_size: string }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (
      await client.query(`SELECT id, storage_key, file_size FROM media_files WHERE submission_id = $1`, [submissionId])
    ).rows;
  } finally {
    await client.end();
  }
}

/** Resolves once `count` calls were made (each caller waits for nothing). */
function countdown(count: number): { tick: () => void; done: Promise<void> } {
  let left = count;
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    tick: () => {
      if (--left === 0) release();
    },
    done,
  };
}

describe('The app as a process: uploads and SIGTERM', () => {
  let database: { url: string; appUrl: string; drop: () => Promise<void> };
  let storagePath: string;
  let child: ChildProcessWithoutNullStreams | undefined;

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.appUrl,
    DATABASE_MIGRATION_URL: database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    ENVIRONMENT: 'test',
    SECRET_KEY: TEST_SECRET,
    LOG_LEVEL: 'info',
    BCRYPT_COST: '4',
    STORAGE_PATH: storagePath,
    ...extra,
  });

  beforeEach(async () => {
    database = await createTestDatabase();
    await runMigrations(database.url);
    await seedCandidate(database.url);
    storagePath = mkdtempSync(join(tmpdir(), 'trajectorie-process-uploads-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    await database.drop();
    await rm(storagePath, { recursive: true, force: true });
  });

  it('on SIGTERM lets uploads in flight finish: 201, files byte-identical, rows written, then exits 0', async () => {
    child = startMain(env({ SHUTDOWN_TIMEOUT_MS: '20000' }));
    const { out, exit } = collect(child);
    const port = await waitFor(() => out.stdout.match(/"port":(\d+)/)?.[1], BOOT_WAIT_MS);
    const { token, submissionId } = await loginAndSubmit(port);

    const files = Array.from({ length: 4 }, (_, i) => distinctWebm(48 * 1024 + i * 1000));
    const started = countdown(files.length);
    const uploads = files.map((data) => {
      let writes = 0;
      return rawUpload(Number(port), submissionId, token, uploadBody(data), {
        chunkBytes: 4 * 1024,
        between: async () => {
          if (++writes === 2) started.tick(); // every upload is mid-body when the signal comes
          await new Promise((r) => setTimeout(r, 100));
        },
      });
    });
    await started.done;
    child.kill('SIGTERM');
    const responses = await Promise.all(uploads);

    expect(responses.map((res) => res?.status)).toEqual(files.map(() => 201));
    expect(await exit).toBe(0);
    expect(out.stdout.indexOf('Shutting down')).toBeGreaterThan(-1);
    const rows = await mediaRowsOf(database.url, submissionId);
    const ids = responses.map((res) => (JSON.parse(res!.body) as { media_file_id: string }).media_file_id);
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    for (const [index, data] of files.entries()) {
      const row = rows.find((r) => r.id === ids[index])!;
      expect(Number(row.file_size)).toBe(data.length);
      expect((await readFile(join(storagePath, row.storage_key))).equals(data)).toBe(true);
    }
    expect((await filesUnder(storagePath)).filter((file) => file.includes('.partial-'))).toEqual([]);
  }, 200_000);

  it('cuts an upload that cannot finish within SHUTDOWN_TIMEOUT_MS: exits on time, no row, no partial file; the next boot sweeps old partials', async () => {
    const shutdownTimeout = 1_500;
    child = startMain(env({ SHUTDOWN_TIMEOUT_MS: String(shutdownTimeout) }));
    const { out, exit } = collect(child);
    const port = await waitFor(() => out.stdout.match(/"port":(\d+)/)?.[1], BOOT_WAIT_MS);
    const { token, submissionId } = await loginAndSubmit(port);

    // 1 KiB every 100 ms of a 1 MiB body: about 100 s, far past the shutdown limit.
    const started = countdown(1);
    let writes = 0;
    const upload = rawUpload(Number(port), submissionId, token, uploadBody(distinctWebm(1024 * 1024)), {
      chunkBytes: 1024,
      between: async () => {
        if (++writes === 20) started.tick();
        await new Promise((r) => setTimeout(r, 100));
      },
    }).catch((error: NodeJS.ErrnoException) => ({ dropped: error.code ?? error.message }));
    await started.done;
    expect((await filesUnder(storagePath)).filter((file) => file.includes('.partial-'))).toHaveLength(1);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    expect(await exit).toBe(1);
    const tookMs = Date.now() - signalledAt;
    expect(tookMs).toBeGreaterThanOrEqual(shutdownTimeout - 100);
    expect(tookMs).toBeLessThan(shutdownTimeout + 2_000);
    expect(out.stdout).toContain('Shutdown timed out');
    expect(await upload).toEqual({ dropped: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) }); // no response at all
    expect(await mediaRowsOf(database.url, submissionId)).toEqual([]);
    expect(await filesUnder(storagePath)).toEqual([]); // the partial file was removed on the way out

    // What a SIGKILL leaves: a partial file an hour old (swept at boot) and a recent one (maybe another instance's
    // upload in progress: kept).
    const folder = join(storagePath, 'tenants', 'x', 'submissions', 'y');
    await mkdir(folder, { recursive: true });
    const stale = join(folder, 'aaaaaaaaaaaaaaaa.webm.partial-0123456789ab');
    const recent = join(folder, 'bbbbbbbbbbbbbbbb.webm.partial-0123456789ab');
    await writeFile(stale, 'left by a killed process');
    await writeFile(recent, 'still being written elsewhere');
    const hourAgo = new Date(Date.now() - STALE_UPLOAD_MS - 60_000);
    await utimes(stale, hourAgo, hourAgo);

    child = startMain(env());
    const next = collect(child);
    // Listening (the sweep runs before): the graceful-shutdown handlers are installed once the app listens.
    await waitFor(() => next.out.stdout.match(/"port":(\d+)/)?.[1], BOOT_WAIT_MS);
    expect(next.out.stdout).toContain('Removed 1 leftover(s) of interrupted uploads');
    expect(await filesUnder(storagePath)).toEqual([
      'tenants/x/submissions/y/bbbbbbbbbbbbbbbb.webm.partial-0123456789ab',
    ]);
    child.kill('SIGTERM');
    expect(await next.exit).toBe(0);
  }, 300_000); // two boots of the app
});
