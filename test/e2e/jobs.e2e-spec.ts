import { systemContext } from '../../src/common/context/request-context';
import { JobInfo, JobsService } from '../../src/common/jobs/jobs.service';
import { DatabaseService } from '../../src/database/database.service';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * JobsService on pg-boss: jobs run once across instances, failures retry with backoff, a send in a transaction
 * exists only if it commits, and an instance with JOBS_ENABLED=false neither starts pg-boss nor queues anything.
 */

const JOBS_ON = { JOBS_ENABLED: 'true', JOBS_POLL_INTERVAL_SECONDS: '0.5' };

async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Seen {
  n: number;
  by: string;
}

describe('Background jobs (pg-boss)', () => {
  describe('two app instances on one database', () => {
    let a: TestApp;
    let b: TestApp;
    /** a third instance, without workers (JOBS_ENABLED=false) */
    let c: TestApp;
    const handled = new Map<number, string[]>();
    const failures = new Map<number, JobInfo[]>();
    const ticks: { at: number; by: string }[] = [];
    beforeAll(async () => {
      a = await createTestApp(JOBS_ON);
      b = await createTestApp(JOBS_ON, { databaseUrl: a.databaseUrl });
      c = await createTestApp({}, { databaseUrl: a.databaseUrl });
      for (const [instance, t] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const jobs = t.app.get(JobsService);
        // registered after boot: the worker starts at once
        jobs.work<Seen>('test.generic', async (data) => {
          handled.set(data.n, [...(handled.get(data.n) ?? []), instance]);
        });
        jobs.work<Seen>(
          'test.flaky',
          async (data, job) => {
            failures.set(data.n, [...(failures.get(data.n) ?? []), job]);
            if (job.retryCount < 2) throw new Error(`smtp://user:hunter2@host refused (try ${job.retryCount})`);
          },
          { retryLimit: 3, retryDelaySeconds: 1, retryBackoff: false },
        );
        jobs.schedule('test.tick', '* * * * *', async () => {
          ticks.push({ at: Date.now(), by: instance });
        });
      }
      // a worker registered after boot creates its queue in the background
      await waitFor(async () => {
        const rows = await a.db.query(`SELECT name FROM pgboss.queue WHERE name IN ('test.generic', 'test.flaky')`);
        return rows.length === 2;
      });
    });
    afterAll(async () => {
      await c?.close();
      await b?.close();
      await a?.close();
    });

    it('an instance without workers still queues jobs, in its transaction, for the instances that have them', async () => {
      const jobs = c.app.get(JobsService);
      await c.app
        .get(DatabaseService)
        .crossTenant(systemContext(), 'test: jobs carry no tenant', (tx) =>
          jobs.send(tx, 'test.generic', { n: 3000, by: 'c' }),
        );
      await expect(
        c.app.get(DatabaseService).crossTenant(systemContext(), 'test: jobs carry no tenant', async (tx) => {
          await jobs.send(tx, 'test.generic', { n: 3001, by: 'c, rolled back' });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      await waitFor(() => handled.has(3000));
      expect(handled.get(3000)).toHaveLength(1);
      const rows = await a.db.query(
        `SELECT data->>'n' AS n FROM pgboss.job WHERE name = 'test.generic' AND (data->>'n')::int >= 3000`,
      );
      expect(rows.map((r: { n: string }) => r.n)).toEqual(['3000']);
    });

    it('a job sent once is handled once, whichever instance takes it', async () => {
      const n = 20;
      for (let i = 0; i < n; i++) {
        await (i % 2 ? a : b).app.get(JobsService).send(systemContext(), 'test.generic', { n: i, by: 'x' });
      }
      const mine = () => [...handled.entries()].filter(([key]) => key < n);
      await waitFor(() => mine().length === n && mine().every(([, by]) => by.length === 1));
      // give a duplicate the chance to show up: both instances poll twice a second
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(
        mine()
          .map(([key]) => key)
          .sort((x, y) => x - y),
      ).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(mine().every(([, by]) => by.length === 1)).toBe(true);
      const [row] = await a.db.query(
        `SELECT count(*)::int AS n FROM pgboss.job
          WHERE name = 'test.generic' AND state = 'completed' AND (data->>'n')::int < $1`,
        [n],
      );
      expect(row.n).toBe(n);
    });

    it('a failing job is retried until it succeeds; the stored error has no credentials', async () => {
      await a.app.get(JobsService).send(systemContext(), 'test.flaky', { n: 1, by: 'a' });
      await waitFor(() => failures.get(1)?.length === 3);
      expect(failures.get(1)!.map((job) => [job.retryCount, job.retryLimit, job.isLastAttempt])).toEqual([
        [0, 3, false],
        [1, 3, false],
        [2, 3, false],
      ]);
      const [job] = await waitFor(async () => {
        const rows = await a.db.query(`SELECT state, output FROM pgboss.job WHERE name = 'test.flaky'`);
        return rows[0]?.state === 'completed' ? rows : undefined;
      });
      expect(job.state).toBe('completed');
      const failedRuns = await a.db.query(`SELECT output::text AS output FROM pgboss.job WHERE name = 'test.flaky'`);
      for (const run of failedRuns) expect(String(run.output)).not.toContain('hunter2');
    });

    it('a job sent in a transaction exists only if the transaction commits', async () => {
      const db = a.app.get(DatabaseService);
      const jobs = a.app.get(JobsService);
      await expect(
        db.crossTenant(systemContext(), 'test: jobs carry no tenant', async (tx) => {
          await jobs.send(tx, 'test.generic', { n: 1000, by: 'rolled back' });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      await db.crossTenant(systemContext(), 'test: jobs carry no tenant', (tx) =>
        jobs.send(tx, 'test.generic', { n: 1001, by: 'committed' }),
      );
      await waitFor(() => handled.has(1001));
      const rows = await a.db.query(
        `SELECT data->>'n' AS n FROM pgboss.job WHERE name = 'test.generic' AND (data->>'n')::int BETWEEN 1000 AND 1999`,
      );
      expect(rows.map((r: { n: string }) => r.n)).toEqual(['1001']);
      expect(handled.has(1000)).toBe(false);
    });

    it('singletonKey: at most one queued job per key; startAfter delays it', async () => {
      const jobs = a.app.get(JobsService);
      const later = new Date(Date.now() + 60 * 60 * 1000);
      await jobs.send(
        systemContext(),
        'test.generic',
        { n: 2000, by: 'first' },
        { singletonKey: 'k1', startAfter: later },
      );
      await jobs.send(
        systemContext(),
        'test.generic',
        { n: 2001, by: 'second' },
        { singletonKey: 'k1', startAfter: later },
      );
      const rows = await a.db.query(
        `SELECT data->>'n' AS n, state, start_after FROM pgboss.job WHERE name = 'test.generic' AND singleton_key = 'k1'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ n: '2000', state: 'created' });
      expect(Math.abs(new Date(rows[0].start_after).getTime() - later.getTime())).toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(handled.has(2000)).toBe(false);
    });

    it('a cron schedule fires once per tick across both instances', async () => {
      // pg-boss checks its schedules at start and every 30 s; the current minute's tick fires right away
      await waitFor(() => ticks.length >= 1, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 6000));
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      // two runs of one tick would be seconds apart; two ticks are at least 30 s apart (a minute, seen by a 30 s check)
      for (let i = 1; i < ticks.length; i++) expect(ticks[i].at - ticks[i - 1].at).toBeGreaterThan(25_000);
      const [schedule] = await a.db.query(`SELECT name, cron, timezone FROM pgboss.schedule WHERE name = 'test.tick'`);
      expect(schedule).toEqual({ name: 'test.tick', cron: '* * * * *', timezone: 'UTC' });
    });
  });

  describe('with JOBS_ENABLED=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('without pg-boss installed (no instance ever ran it), send drops the job and installs nothing', async () => {
      const jobs = t.app.get(JobsService);
      let ran = false;
      jobs.work('test.disabled', async () => {
        ran = true;
      });
      await t.app
        .get(DatabaseService)
        .crossTenant(systemContext(), 'test: jobs carry no tenant', (tx) =>
          jobs.send(tx, 'test.disabled', { n: 1, by: 'x' }),
        );
      const [schema] = await t.db.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'pgboss'`);
      expect(schema.n).toBe(0);
      expect(ran).toBe(false);
    });
  });

  describe('shutdown', () => {
    it('stops the workers and closes its pool before the app pool closes', async () => {
      const t = await createTestApp(JOBS_ON);
      const jobs = t.app.get(JobsService);
      let started = 0;
      let finished = 0;
      jobs.work('test.slow', async () => {
        started++;
        await new Promise((resolve) => setTimeout(resolve, 800));
        // the app's pool is still open while an in-flight job finishes
        await t.db.query('SELECT 1');
        finished++;
      });
      await jobs.send(systemContext(), 'test.slow', {});
      await waitFor(() => started === 1);
      const [before] = await t.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'trajectorie-jobs' AND datname = current_database()`,
      );
      expect(before.n).toBeGreaterThan(0);
      const { databaseUrl } = t;
      await t.app.close();
      expect(finished).toBe(1);
      // its connections are gone
      const probe = await createTestApp({}, { databaseUrl });
      const [after] = await probe.db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'trajectorie-jobs' AND datname = current_database()`,
      );
      expect(after.n).toBe(0);
      const [job] = await probe.db.query(`SELECT state FROM pgboss.job WHERE name = 'test.slow'`);
      expect(job.state).toBe('completed');
      await probe.close();
      await t.close().catch(() => undefined);
    });
  });
});
