import type { Response } from 'supertest';

/** Asymmetric matchers shared by the e2e specs. */
export const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
export const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);

/** A local-storage `storage_url`: an absolute, signed, expiring link to one media file. */
export const signedMediaUrl = (mediaId: string) =>
  expect.stringMatching(
    new RegExp(`^https?://[^/]+/api/v1/media/${mediaId}/file\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`),
  );

/** The path and query of an absolute URL, for supertest (which talks to the app's own server). */
export const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** A 429 in the one error format, with a Retry-After of 1 to `maxSeconds` seconds. */
export function expectRateLimited(res: Response, maxSeconds: number): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    status_code: 429,
    code: 'RATE_LIMITED',
    detail: expect.stringMatching(/^Too many requests/),
    path: expect.any(String),
    request_id: res.headers['x-request-id'],
  });
  const retryAfter = res.headers['retry-after'];
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxSeconds);
}
