import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { createTestApp } from '../setup/test-app';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

async function waitForExit(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} did not exit`);
}

describe('Embedded PostgreSQL and database health', () => {
  let root: string;
  let dataDir: string;
  const handles: EmbeddedPostgresHandle[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'trajectorie-lifecycle-'));
    dataDir = join(root, 'cluster');
  });
  afterAll(async () => {
    for (const handle of handles) await handle.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('initialises a cluster, creates the database and keeps data across restarts', async () => {
    const first = await startEmbeddedPostgres({ dataDir, database: 'app' });
    handles.push(first);
    expect(first.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/app$/);
    await query(first.url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    await first.stop();
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);

    const second = await startEmbeddedPostgres({ dataDir, database: 'app' });
    handles.push(second);
    expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 42 }]);
    await second.stop();
  });

  it('recovers from a stale postmaster.pid left by a killed run', async () => {
    const victim = await startEmbeddedPostgres({ dataDir, database: 'app' });
    const pid = postmasterPid(dataDir);
    process.kill(pid, 'SIGKILL'); // the whole run died: nobody cleaned up
    await waitForExit(pid);
    await victim.stop();
    // SIGKILL leaves the pid file behind, naming a process that no longer exists.
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);

    const recovered = await startEmbeddedPostgres({ dataDir, database: 'app' });
    handles.push(recovered);
    expect(await query(recovered.url, 'SELECT v FROM kept')).toEqual([{ v: 42 }]);
    await recovered.stop();
  });

  it('treats a pid file pointing at a dead process as stale', async () => {
    const handle = await startEmbeddedPostgres({ dataDir, database: 'app' });
    await handle.stop();
    writeFileSync(join(dataDir, 'postmaster.pid'), `2147483646\n${dataDir}\n0\n5999\n`);
    const again = await startEmbeddedPostgres({ dataDir, database: 'app' });
    handles.push(again);
    expect(await query(again.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    await again.stop();
  });

  it('reuses a postmaster that outlived its app (orphan) instead of failing', async () => {
    const orphan = await startEmbeddedPostgres({ dataDir, database: 'app' });
    handles.push(orphan);
    const reused = await startEmbeddedPostgres({ dataDir, database: 'app' });
    expect(reused.port).toBe(orphan.port);
    await reused.stop(); // not the owner: must not stop the server
    expect(await query(orphan.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    await orphan.stop();
  });

  it('GET /health is 503 and unhealthy when the database is stopped', async () => {
    const pg = await startEmbeddedPostgres({ dataDir, database: 'health' });
    handles.push(pg);
    const t = await createTestApp({}, { databaseUrl: pg.url, runMigrations: true });
    try {
      await t.http().get('/health').expect(200);
      await pg.stop();
      const down = await t.http().get('/health').expect(503);
      expect(down.body).toEqual({ status: 'unhealthy', database: 'disconnected', database_type: 'postgresql' });
    } finally {
      await t.close();
    }
  });
});
