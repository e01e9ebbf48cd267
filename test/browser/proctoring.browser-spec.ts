import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AttemptSweeperService } from '../../src/modules/timed-tests/taking/attempt-sweeper.service';
import { createTenantWithStaff } from '../setup/factories';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertTest, InsertedTest, NO_WORKERS } from '../setup/timed-tests';

/**
 * The two pages in a real Chromium (README, "Live proctoring pages"): a candidate opens /take/{token}, starts and
 * answers; a proctor logs in on /proctor and watches; the candidate's fake camera reaches the proctor's <video>
 * over WebRTC (signalling through the /proctoring namespace); a visibility change on the candidate's page shows on
 * the dashboard; a proctor's message shows on the candidate's page; the proctor terminates the attempt.
 * Run by `npm run test:browser` (scripts/test-browser.sh), inside `unshare --net` as root.
 */
/**
 * The little of the DOM the page functions below touch. They run in the browser as functions (Playwright calls them
 * through the DevTools protocol; a string would be eval'ed in the page, which the pages' CSP forbids) and this
 * TypeScript has no DOM types.
 */
interface VideoElement {
  readyState: number;
  videoWidth: number;
  videoHeight: number;
  srcObject: unknown;
}
type Stream = { id: string } | null;
declare const document: {
  getElementById(id: string): VideoElement;
  dispatchEvent(event: unknown): boolean;
};
declare const Event: new (type: string) => unknown;

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../../test-artifacts/browser');
const STEP_MS = 30_000;

describe('Proctoring pages in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let staff: Awaited<ReturnType<typeof createTenantWithStaff>>;
  let test: InsertedTest;
  let token: string;
  let inviteId: string;
  const logs: string[] = [];

  /** Every console line, page error and failed request of a page, for the failure report. */
  function watchPage(name: string, page: Page): Page {
    page.on('console', (m) => logs.push(`[${name} console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`[${name} pageerror] ${e.message}`));
    page.on('requestfailed', (r) => logs.push(`[${name} requestfailed] ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 400 && logs.push(`[${name} HTTP ${r.status()}] ${r.url()}`));
    page.setDefaultTimeout(STEP_MS);
    return page;
  }

  async function newPage(name: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    await context.grantPermissions(['camera'], { origin: base });
    return { context, page: watchPage(name, await context.newPage()) };
  }

  /** Runs a test body; when it fails, prints what the pages logged first. */
  function withLogs(body: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await body();
      } catch (error) {
        process.stderr.write(`\n--- browser logs (${logs.length} lines) ---\n${logs.join('\n')}\n---\n`);
        throw error;
      }
    };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await createTestApp({ ...NO_WORKERS, RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000' });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    staff = await createTenantWithStaff(t);
    test = await insertTest(t.db, staff.tenant.id, {
      title: 'Browser test',
      durationMinutes: 30,
      questions: [
        { type: 'multiple_choice', question: 'Pick 4', options: ['3', '4', '5'], correct_answer: '4', points: 1 },
        { type: 'multi_select', question: 'Pick a and c', options: ['a', 'b', 'c'], correct_answers: ['a', 'c'] },
        { type: 'essay', question: 'Tell us about yourself' },
        { type: 'coding', question: 'Write add(a, b)' },
      ],
    });
    ({ token, id: inviteId } = await invite('cara@example.test', 'Cara Candidate'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: STEP_MS,
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--allow-loopback-in-peer-connection',
        '--no-sandbox',
        '--disable-dev-shm-usage',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it(
    'candidate takes the test on camera; the proctor watches, sees its events, messages and terminates',
    withLogs(() => scenario()),
  );

  async function scenario(): Promise<void> {
    // The candidate opens the link and starts: four questions, the countdown from the server's deadline.
    const candidate = (await newPage('candidate')).page;
    await candidate.goto(`${base}/take/${token}`);
    await candidate.locator('#start').waitFor({ state: 'visible' });
    await shot(candidate, '01-candidate-intro');
    await candidate.click('#start');
    await candidate.locator('#test').waitFor({ state: 'visible' });
    expect(await candidate.locator('fieldset.question').count()).toBe(4);
    expect(await candidate.locator('#timer').textContent()).toMatch(/^(29|30):\d\d$/);
    const attempt = (await t.db.query(`SELECT id, status FROM test_attempts WHERE invitation_id = $1`, [inviteId]))[0];
    expect(attempt.status).toBe('in_progress');

    // Answers are autosaved (debounced) and land in the database.
    await candidate.check('fieldset[data-type="multiple_choice"] input[value="4"]');
    await candidate.check('fieldset[data-type="multi_select"] input[value="a"]');
    await candidate.check('fieldset[data-type="multi_select"] input[value="c"]');
    await candidate.fill('fieldset[data-type="essay"] textarea', 'I like <b>tests</b>');
    await candidate.fill('fieldset[data-type="coding"] textarea', 'const add = (a, b) => a + b;');
    await candidate.locator('#save-state', { hasText: 'Saved at' }).waitFor();
    await expect(
      waitFor(
        () => savedAnswers(attempt.id),
        (rows) => rows.length === 4,
      ),
    ).resolves.toEqual(
      expect.arrayContaining([
        { type: 'multiple_choice', answer: '4' },
        { type: 'multi_select', answer: ['a', 'c'] },
        { type: 'essay', answer: 'I like <b>tests</b>' },
        { type: 'coding', answer: 'const add = (a, b) => a + b;' },
      ]),
    );
    // the camera preview runs (Chromium's fake device)
    await candidate.waitForFunction(() => document.getElementById('preview').readyState >= 2);

    // Something the candidate did before anyone watched (a copy) is in the attempt's log...
    await candidate.evaluate(() => document.dispatchEvent(new Event('copy')));
    await waitFor(
      () => eventTypes(inviteId),
      (types) => types.includes('integrity.copy'),
    );

    // The proctor logs in, sees the live attempt and watches it: the candidate's camera plays on the dashboard.
    const proctor = (await newPage('proctor')).page;
    await proctor.goto(`${base}/proctor`);
    await proctor.fill('#email', staff.proctor.email);
    await proctor.fill('#password', staff.proctor.password);
    await proctor.click('#login-button');
    const entry = proctor.locator('#sessions li', { hasText: 'Cara Candidate' });
    await entry.waitFor();
    await entry.click();
    await proctor.locator('#watch').waitFor({ state: 'visible' });
    await proctor.waitForFunction(() => {
      const v = document.getElementById('remote');
      return v.readyState >= 2 && v.videoWidth > 0;
    });
    const video = await proctor.evaluate(() => {
      const v = document.getElementById('remote');
      return { readyState: v.readyState, width: v.videoWidth, height: v.videoHeight };
    });
    expect(video.readyState).toBeGreaterThanOrEqual(2);
    expect(video.width).toBeGreaterThan(0);
    // ...and shows on the dashboard from the session's timeline (REST)
    await proctor.locator('#events li', { hasText: 'integrity.copy' }).waitFor();
    await shot(proctor, '02-proctor-watching');

    // The candidate's tab goes to the background (emulated: headless pages are always visible).
    await candidate.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await proctor.locator('#events li.integrity', { hasText: 'tab_hidden' }).waitFor();
    const events = await waitFor(
      () => eventTypes(inviteId),
      (types) => types.includes('integrity.tab_hidden'),
    );
    expect(events).toContain('integrity.tab_hidden');
    await shot(proctor, '03-proctor-integrity-event');

    // A message from the proctor appears on the candidate's page, as text (never as markup).
    await proctor.fill('#message-text', 'Please look at the <i>screen</i>');
    await proctor.click('#message-send');
    await candidate.locator('#messages li', { hasText: 'Please look at the <i>screen</i>' }).waitFor();
    expect(await candidate.locator('#messages i').count()).toBe(0);
    await shot(candidate, '04-candidate-message');

    // The candidate reloads its page while watched: its answers are back, it reconnects as a new peer (the dashboard
    // announces itself to it) and the dashboard plays its new camera stream.
    const streamBefore = await proctor.evaluate(() => (document.getElementById('remote').srcObject as Stream)?.id);
    expect(streamBefore).toEqual(expect.any(String));
    await candidate.reload();
    await candidate.locator('#test').waitFor({ state: 'visible' });
    expect(await candidate.inputValue('fieldset[data-type="essay"] textarea')).toBe('I like <b>tests</b>');
    expect(await candidate.isChecked('fieldset[data-type="multi_select"] input[value="c"]')).toBe(true);
    await proctor.waitForFunction((previous) => {
      const v = document.getElementById('remote');
      const stream = v.srcObject as Stream;
      return !!stream && stream.id !== previous && v.readyState >= 2 && v.videoWidth > 0;
    }, streamBefore);
    await proctor.locator('#events li', { hasText: 'Candidate connected' }).waitFor();

    // The proctor terminates: the candidate's page says so and stops its camera; the attempt is terminated.
    proctor.once('dialog', (dialog) => void dialog.accept());
    await proctor.fill('#terminate-reason', 'Phone on the desk');
    await proctor.click('#terminate-send');
    await candidate.locator('#done-title', { hasText: 'ended by the proctor' }).waitFor();
    expect(await candidate.locator('#done-text').textContent()).toContain('Phone on the desk');
    expect(await candidate.evaluate(() => document.getElementById('preview').srcObject === null)).toBe(true);
    await shot(candidate, '05-candidate-terminated');
    const ended = await waitFor(
      async () => (await t.db.query(`SELECT status FROM test_attempts WHERE id = $1`, [attempt.id]))[0].status,
      (status) => status === 'terminated',
    );
    expect(ended).toBe('terminated');
    await proctor.locator('#sessions li', { hasText: 'Cara Candidate' }).waitFor({ state: 'detached' });
    await shot(proctor, '06-proctor-after-terminate');
  }

  it(
    'candidate submits from the page; the dashboard drops the attempt when it ends',
    withLogs(async () => {
      const invited = await invite('dan@example.test', 'Dan Submitter');
      const proctor = (await newPage('proctor-2')).page;
      await proctor.goto(`${base}/proctor`);
      await proctor.fill('#email', staff.admin.email);
      await proctor.fill('#password', staff.admin.password);
      await proctor.click('#login-button');
      await proctor.locator('#no-sessions').waitFor();

      const candidate = (await newPage('candidate-2')).page;
      await candidate.goto(`${base}/take/${invited.token}`);
      await candidate.click('#start');
      await candidate.locator('#test').waitFor({ state: 'visible' });
      // the dashboard hears of the new live attempt (session:started) without reloading
      await proctor.locator('#sessions li', { hasText: 'Dan Submitter' }).waitFor();

      await candidate.check('fieldset[data-type="multiple_choice"] input[value="4"]');
      await candidate.fill('fieldset[data-type="coding"] textarea', 'return a + b');
      candidate.once('dialog', (dialog) => void dialog.accept());
      await candidate.click('#submit');
      await candidate.locator('#done-title', { hasText: 'Thank you' }).waitFor();
      await shot(candidate, '07-candidate-submitted');
      await proctor.locator('#sessions li', { hasText: 'Dan Submitter' }).waitFor({ state: 'detached' });

      const [attempt] = await t.db.query(`SELECT id, status FROM test_attempts WHERE invitation_id = $1`, [invited.id]);
      expect(attempt.status).toBe('submitted');
      // the submit writes one scored answer per question (the untouched ones empty)
      expect(await savedAnswers(attempt.id)).toEqual([
        { type: 'multiple_choice', answer: '4' },
        { type: 'multi_select', answer: [] },
        { type: 'essay', answer: '' },
        { type: 'coding', answer: 'return a + b' },
      ]);
    }),
  );

  it(
    'when the time is over, the sweeper hands the attempt in and the candidate page closes itself',
    withLogs(async () => {
      const invited = await invite('eve@example.test', 'Eve Late');
      const candidate = (await newPage('candidate-3')).page;
      await candidate.goto(`${base}/take/${invited.token}`);
      await candidate.click('#start');
      await candidate.locator('#test').waitFor({ state: 'visible' });
      await candidate.waitForFunction(() => document.getElementById('preview').readyState >= 2);
      await candidate.fill('fieldset[data-type="essay"] textarea', 'Saved before the end');
      await candidate.locator('#save-state', { hasText: 'Saved at' }).waitFor();

      // the sweep, as its minute tick would run it once deadline + grace has passed (no waiting 30 minutes)
      const ended = await t.app.get(AttemptSweeperService).sweepExpiredAttempts(new Date(Date.now() + 40 * 60_000));
      expect(ended).toBeGreaterThanOrEqual(1);
      await candidate.locator('#done-title', { hasText: 'The time is over' }).waitFor();
      expect(await candidate.evaluate(() => document.getElementById('preview').srcObject === null)).toBe(true);
      await shot(candidate, '08-candidate-deadline');
      const [attempt] = await t.db.query(`SELECT id, status FROM test_attempts WHERE invitation_id = $1`, [invited.id]);
      expect(attempt.status).toBe('auto_submitted');
      expect(await savedAnswers(attempt.id)).toContainEqual({ type: 'essay', answer: 'Saved before the end' });
    }),
  );

  it(
    'the dashboard refreshes its access token before it expires and goes on with the new one',
    withLogs(async () => {
      const { context, page: proctor } = await newPage('proctor-3');
      // the page's timers and Date run on a clock the test moves (the server's clock is untouched)
      await context.clock.install();
      await proctor.goto(`${base}/proctor`);
      await proctor.fill('#email', staff.proctor.email);
      await proctor.fill('#password', staff.proctor.password);
      await proctor.click('#login-button');
      await proctor.locator('#status', { hasText: 'Connected' }).waitFor();

      // 15-minute tokens are refreshed a minute before they expire
      const refreshed = proctor.waitForResponse((r) => r.url().endsWith('/auth/refresh'));
      await context.clock.fastForward('14:05');
      const refresh = await refreshed;
      expect(refresh.status()).toBe(200);
      const fresh = (await refresh.json()) as { access_token: string };

      // the API calls that follow carry the new token: logging out revokes the refreshed session
      const loggedOut = proctor.waitForRequest((r) => r.url().endsWith('/auth/logout'));
      await proctor.click('#logout');
      expect((await loggedOut).headers().authorization).toBe(`Bearer ${fresh.access_token}`);
      await proctor.locator('#login').waitFor({ state: 'visible' });
      const me = await t.http().get('/auth/me').set('Authorization', `Bearer ${fresh.access_token}`);
      expect({ status: me.status, code: me.body.code }).toEqual({ status: 401, code: 'SESSION_REVOKED' });
    }),
  );

  async function invite(email: string, name: string): Promise<{ id: string; token: string }> {
    const res = await t
      .http()
      .post('/api/invites')
      .set('Authorization', `Bearer ${staff.adminTokens.access_token}`)
      .send({ test_id: test.id, applicant_email: email, applicant_name: name });
    if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, token: res.body.invite_token };
  }

  async function savedAnswers(attemptId: string): Promise<{ type: string; answer: unknown }[]> {
    return t.db.query(
      `SELECT q.type, a.answer FROM attempt_answers a JOIN questions q ON q.id = a.question_id
        WHERE a.attempt_id = $1 ORDER BY q.position`,
      [attemptId],
    );
  }

  async function eventTypes(invitationId: string): Promise<string[]> {
    const rows: { type: string }[] = await t.db.query(
      `SELECT type FROM attempt_events WHERE invitation_id = $1 ORDER BY id`,
      [invitationId],
    );
    return rows.map((r) => r.type);
  }
});

/** Polls `read` until `done` holds (or STEP_MS passes) and returns the last value read. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const until = Date.now() + STEP_MS;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
