/** The assessment types a tenant may allow and a submission is taken for. */
export const TEST_TYPES = ['JDT', 'SJT'] as const;
export type TestType = (typeof TEST_TYPES)[number];
