/** Asymmetric matchers shared by the e2e specs. */
export const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
export const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);
