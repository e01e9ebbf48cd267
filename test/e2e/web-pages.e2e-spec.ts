import { createTestApp, TestApp } from '../setup/test-app';

/**
 * The pages the app serves (/proctor, /take/{token}, their files under /web/): what they are sent with. The pages
 * themselves run in Chromium in test/browser (npm run test:browser).
 */
describe('Web pages', () => {
  let t: TestApp;
  const token = 'q7Zk3bW8m1VYt0n2cXr4d5Ue6Hf9Ga0Jb1Kc2Ld3Me4';

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** The CSP as a map of directive -> sources. */
  function csp(header: string | undefined): Record<string, string[]> {
    return Object.fromEntries(
      (header ?? '')
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .filter((words) => words[0])
        .map(([name, ...sources]) => [name, sources]),
    );
  }

  it.each(['/proctor', `/take/${token}`])('%s is HTML under a strict CSP, no referrer, not cached', async (path) => {
    const res = await t.http().get(path).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const policy = csp(res.headers['content-security-policy']);
    expect(policy).toMatchObject({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    expect(policy['media-src']).toEqual(expect.arrayContaining(["'self'", 'blob:']));
    expect(res.headers['content-security-policy']).not.toContain('unsafe');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // every script is a file of this origin (no inline script, no inline handler, no inline style)
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/web\/[a-z.]+\.js"/);
      expect(body.trim()).toBe('');
    }
    expect(res.text).not.toMatch(/\son[a-z]+=|\sstyle=/i);
    expect(res.text).not.toContain(token);
  });

  it.each([
    ['proctor.js', 'text/javascript; charset=utf-8'],
    ['take.js', 'text/javascript; charset=utf-8'],
    ['common.js', 'text/javascript; charset=utf-8'],
    ['pages.css', 'text/css; charset=utf-8'],
    ['socket.io.min.js', 'text/javascript; charset=utf-8'],
  ])('/web/%s is served as %s', async (name, type) => {
    const res = await t.http().get(`/web/${name}`).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.text.length).toBeGreaterThan(500);
    if (name === 'socket.io.min.js') expect(res.text).toContain('Socket.IO v4');
  });

  it.each(['/web/nope.js', '/web/..%2Fweb-pages.service.ts', '/web/proctor.html', '/take/'])(
    '%s is a 404 in the one error body',
    async (path) => {
      const res = await t.http().get(path).expect(404);
      expect(res.body).toMatchObject({ status_code: 404, code: expect.stringMatching(/NOT_FOUND$/) });
    },
  );

  it('the API keeps its own headers: nothing may be loaded from a JSON response; /docs keeps its own', async () => {
    const api = await t.http().get('/health').expect(200);
    expect(api.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    const lookalike = await t.http().get('/proctoring');
    expect(lookalike.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    const takeApi = await t.http().get(`/api/take-test/${token}`);
    expect(takeApi.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    const docs = await t.http().get('/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toContain("'unsafe-inline'");
  });
});
