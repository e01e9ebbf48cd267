// What other features may import from timed tests (docs/module-boundaries.md): the statistics' response types.
export { AttemptCounts, InvitationCounts, TestCounts, TimedTestCounts } from './dto/timed-test-statistics.response';
