import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { TEST_SECRET } from '../setup/test-app';
import { startSmtpServer } from '../setup/smtp-test-server';

/*
 * Background jobs when PostgreSQL goes away: the process (src/main.ts, run for real) keeps running — pg-boss's
 * errors are logged, never thrown at the event loop — and once the database is back the queue works again: an
 * e-mail queued after the outage is delivered. This file owns its cluster, so it can stop and restart it.
 */

const ROOT = join(__dirname, '..', '..');

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe('Background jobs through a database outage (own cluster, the app as a process)', () => {
  let root: string;
  let dataDir: string;
  let pg: EmbeddedPostgresHandle;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'trajectorie-jobs-outage-'));
    dataDir = join(root, 'cluster');
    pg = await startEmbeddedPostgres({ dataDir, database: 'jobs_outage' });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('survives PostgreSQL going down and delivers again once it is back', async () => {
    const smtp = await startSmtpServer();
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: pg.url,
        PORT: '0',
        HOST: '127.0.0.1',
        ENVIRONMENT: 'test',
        SECRET_KEY: TEST_SECRET,
        LOG_LEVEL: 'info',
        JOBS_ENABLED: 'true',
        JOBS_POLL_INTERVAL_SECONDS: '0.5',
        MAIL_RETRY_DELAY_SECONDS: '1',
        DB_CONNECT_TIMEOUT_MS: '1000',
        SMTP_URL: smtp.url,
        MAIL_OUTBOX_DIR: join(root, 'outbox'),
      },
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => (out.stdout.includes('Background jobs started') ? true : undefined), 60_000);
      const port = await waitFor(() => out.stdout.match(/"port":(\d+)/)?.[1], 30_000);

      await pg.stop();
      // workers keep polling a database that is not there for a few seconds
      await new Promise((r) => setTimeout(r, 4000));
      expect(child.exitCode).toBeNull();
      expect(out.stderr).not.toMatch(/unhandled|Fatal/i);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(503);

      pg = await startEmbeddedPostgres({ dataDir, database: 'jobs_outage', port: pg.port });
      await waitFor(
        async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined),
        30_000,
      );

      // an e-mail queued now goes out: the queue recovered by itself
      const client = new Client({ connectionString: pg.url });
      await client.connect();
      try {
        const [tenant] = (await client.query(`INSERT INTO tenants (name) VALUES ('Outage Co') RETURNING id`)).rows;
        const [outbox] = (
          await client.query(
            `INSERT INTO email_outbox (tenant_id, kind, to_address, subject, text_body, html_body)
             VALUES ($1, 'reminder', 'after-outage@example.com', 'Test Invitation: After', 'hello', '<p>hello</p>')
             RETURNING id`,
            [tenant.id],
          )
        ).rows;
        await client.query(
          `INSERT INTO pgboss.job (name, data, singleton_key, policy, retry_limit, retry_delay, retry_backoff)
           VALUES ('mail.deliver', $1, $2, 'short', 3, 1, true)`,
          [JSON.stringify({ outboxId: outbox.id, tenantId: tenant.id }), outbox.id],
        );
        // (queued the way JobsService.send does, as the app offers no route that sends e-mail yet)
        const row = await waitFor(async () => {
          const { rows } = await client.query(`SELECT status, attempts FROM email_outbox WHERE id = $1`, [outbox.id]);
          return rows[0].status === 'sent' ? rows[0] : undefined;
        }, 30_000);
        expect(row.attempts).toBe(1);
        expect(smtp.received.filter((m) => m.to.includes('after-outage@example.com'))).toHaveLength(1);
      } finally {
        await client.end();
      }

      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out.stdout).toMatch(/pg-boss|Jobs pool error|Could not record a job result/);
    } finally {
      await smtp.close();
    }
  });
});
