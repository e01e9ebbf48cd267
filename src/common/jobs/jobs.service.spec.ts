import { UNAWAITED_BY_PG_BOSS } from './jobs.service';

// pg-boss's own SQL (the exact version is pinned in package.json): if an upgrade changes these statements, the
// guard that keeps a database outage from crashing the process must be revisited.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const plans = require('pg-boss/src/plans') as Record<string, (schema: string, query?: string) => string> & {
  fetchNextJob: (schema: string) => (options: object) => string;
};

describe('UNAWAITED_BY_PG_BOSS', () => {
  it('matches the completion and failure statements pg-boss issues without awaiting them', () => {
    expect(plans.completeJobs('pgboss')).toMatch(UNAWAITED_BY_PG_BOSS);
    expect(plans.failJobsById('pgboss')).toMatch(UNAWAITED_BY_PG_BOSS);
  });

  it('leaves every other statement alone', () => {
    expect(plans.insertJob('pgboss')).not.toMatch(UNAWAITED_BY_PG_BOSS);
    expect(plans.fetchNextJob('pgboss')({})).not.toMatch(UNAWAITED_BY_PG_BOSS);
    expect(plans.createQueue('pgboss')).not.toMatch(UNAWAITED_BY_PG_BOSS);
    expect(plans.locked('pgboss', plans.failJobsByTimeout('pgboss'))).not.toMatch(UNAWAITED_BY_PG_BOSS);
  });
});
