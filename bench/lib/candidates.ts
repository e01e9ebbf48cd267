import { Agent, request } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { CpuProbe, CpuReading, percentile } from './load';
import { answerTo, BenchInvitation, BenchTest } from './timed-tests';

/**
 * (h): simulated candidates taking a test against one app instance. Each candidate, at its own random moment within
 * the first `rampSeconds` (arrivals spread, as candidates of one session log in over a few seconds), opens the test
 * (GET /api/take-test/{token}), starts it (POST /api/start-test/{token}), autosaves `autosaves` times every
 * `intervalSeconds` (±20 % jitter) with a growing set of growing answers (each save sends every question answered so
 * far, as a page's autosave does), waits one more interval and submits with an empty body — so everything in the final
 * result has to come from the autosaves. Every request is timed from the first byte sent to the last byte received.
 * Afterwards the database is read back: every answer the server acknowledged must be in the final result with its
 * last acknowledged value, and every acknowledged submit must have left the attempt submitted (checkAnswers).
 */
export type CandidateRequest = 'take' | 'start' | 'autosave' | 'submit';

export interface CandidateRun {
  candidates: number;
  seconds: number;
  /** Latencies (ms) of successful requests, by kind. */
  latencies: Record<CandidateRequest, number[]>;
  /** Non-2xx answers and socket errors, with a sample of what they were. */
  failures: number;
  failureSamples: string[];
  /**
   * Acknowledged answers (last 2xx autosave per question) missing or different in the final results, and
   * acknowledged submits whose attempt is not submitted; `expectedAnswers` counts the acknowledged answers.
   */
  lostAnswers: number;
  unsubmitted: number;
  expectedAnswers: number;
  /** CPU (ms, every thread) per successful candidate request, of the app and of PostgreSQL, when measured. */
  cpuMsPerRequest: CpuReading;
}

export interface CandidateOptions {
  appUrl: string;
  test: BenchTest;
  invitations: BenchInvitation[];
  autosaves: number;
  intervalSeconds: number;
  rampSeconds: number;
  databaseUrl: string;
  cpu?: CpuProbe;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function call(
  agent: Agent,
  method: string,
  url: string,
  body?: string,
): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What autosave `round` (0-based) of candidate `who` sends: the first questions, more with each round. */
export function autosaveAnswers(test: BenchTest, round: number, rounds: number, who: number) {
  const count = Math.ceil(((round + 1) * test.questions.length) / rounds);
  return test.questions.slice(0, count).map((q) => ({ question_id: q.id, answer: answerTo(q, round, who) }));
}

export async function runCandidates(options: CandidateOptions): Promise<CandidateRun> {
  const { appUrl, test, invitations, autosaves, intervalSeconds } = options;
  const interval = intervalSeconds * 1000;
  // One keep-alive connection per candidate at most (a browser each); idle sockets dropped after 4 s, before the
  // server's 5 s keep-alive timeout can close one under a request.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 4000 });
  const latencies: Record<CandidateRequest, number[]> = { take: [], start: [], autosave: [], submit: [] };
  let failures = 0;
  const failureSamples: string[] = [];
  const jitter = () => interval * (0.8 + Math.random() * 0.4);

  const step = async (kind: CandidateRequest, method: string, path: string, body?: unknown): Promise<boolean> => {
    try {
      const res = await call(agent, method, `${appUrl}${path}`, body === undefined ? undefined : JSON.stringify(body));
      if (res.status >= 200 && res.status < 300) {
        latencies[kind].push(res.ms);
        return true;
      }
      failures += 1;
      if (failureSamples.length < 5) failureSamples.push(`${kind} ${res.status} ${res.text.slice(0, 200)}`);
    } catch (error) {
      failures += 1;
      if (failureSamples.length < 5) failureSamples.push(`${kind} ${String(error)}`);
    }
    return false;
  };

  // per candidate: the last value the server acknowledged (2xx) for each question, and whether its submit was
  const acknowledged = invitations.map(() => new Map<string, unknown>());
  const submitted = invitations.map(() => false);
  const candidate = async (invitation: BenchInvitation, who: number) => {
    await sleep(Math.random() * options.rampSeconds * 1000);
    const token = invitation.token;
    if (!(await step('take', 'GET', `/api/take-test/${token}`))) return;
    if (!(await step('start', 'POST', `/api/start-test/${token}`))) return;
    for (let round = 0; round < autosaves; round += 1) {
      await sleep(jitter());
      const answers = autosaveAnswers(test, round, autosaves, who);
      if (await step('autosave', 'PUT', `/api/take-test/${token}/answers`, { answers })) {
        for (const a of answers) acknowledged[who].set(a.question_id, a.answer);
      }
    }
    await sleep(jitter());
    submitted[who] = await step('submit', 'POST', `/api/submit-test/${token}`, { answers: [] });
  };

  const started = performance.now();
  const before = options.cpu?.();
  try {
    await Promise.all(invitations.map((invitation, who) => candidate(invitation, who)));
  } finally {
    agent.destroy();
  }
  const after = options.cpu?.();
  const seconds = (performance.now() - started) / 1000;
  const ok = Object.values(latencies).reduce((sum, list) => sum + list.length, 0);
  const per = (key: keyof CpuReading) => {
    const [a, b] = [before?.[key] ?? null, after?.[key] ?? null];
    return a === null || b === null || b < a || ok === 0 ? null : (b - a) / ok;
  };
  const check = await checkAnswers(options, acknowledged, submitted);
  return {
    candidates: invitations.length,
    seconds,
    latencies,
    failures,
    failureSamples,
    ...check,
    cpuMsPerRequest: { server: per('server'), postgres: per('postgres') },
  };
}

/**
 * Reads back every candidate's attempt and answers. Every answer the server acknowledged (the last 2xx autosave of
 * each question) must be in the final result with that value — a missing or different one is lost — and every
 * attempt whose submit was acknowledged must be `submitted`. Answers of autosaves that failed (non-2xx) were never
 * accepted: they count as failed requests, not as lost answers.
 */
async function checkAnswers(
  options: CandidateOptions,
  acknowledged: Map<string, unknown>[],
  submitted: boolean[],
): Promise<{ lostAnswers: number; unsubmitted: number; expectedAnswers: number }> {
  const { invitations } = options;
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT i.id AS invitation_id, a.status, aa.question_id, aa.answer
         FROM invitations i
         LEFT JOIN test_attempts a ON a.invitation_id = i.id
         LEFT JOIN attempt_answers aa ON aa.attempt_id = a.id
        WHERE i.id = ANY($1::uuid[])`,
      [invitations.map((i) => i.id)],
    );
    const byInvitation = new Map<string, { status: string | null; answers: Map<string, unknown> }>();
    for (const row of rows as {
      invitation_id: string;
      status: string | null;
      question_id: string | null;
      answer: unknown;
    }[]) {
      const entry = byInvitation.get(row.invitation_id) ?? { status: row.status, answers: new Map() };
      if (row.question_id) entry.answers.set(row.question_id, row.answer);
      byInvitation.set(row.invitation_id, entry);
    }
    let lostAnswers = 0;
    let unsubmitted = 0;
    let expectedAnswers = 0;
    invitations.forEach((invitation, who) => {
      const found = byInvitation.get(invitation.id);
      if (submitted[who] && found?.status !== 'submitted') unsubmitted += 1;
      for (const [questionId, answer] of acknowledged[who]) {
        expectedAnswers += 1;
        if (!isDeepStrictEqual(found?.answers.get(questionId), answer)) lostAnswers += 1;
      }
    });
    return { lostAnswers, unsubmitted, expectedAnswers };
  } finally {
    await client.end();
  }
}

/** p50/p95/p99 over every candidate request (or one kind). */
export function candidatePercentiles(run: CandidateRun, kind?: CandidateRequest) {
  const values = kind ? run.latencies[kind] : Object.values(run.latencies).flat();
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  };
}
