import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';

/** EBML magic + DocType "webm": what the app's magic-byte check recognises as a WebM recording. */
const WEBM_HEAD = Buffer.from(
  '1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878102428581021853806701ffffffffffffff',
  'hex',
);

/**
 * A first-seed interview body of about `megabytes` MB: four SJT entries, each with its recording (random bytes behind
 * a WebM head) as a base64 data URI in `videoDataUri`, as the first seed's pages send it. Built once, before any
 * measurement.
 */
export function interviewBody(megabytes: number): { body: Buffer; recordingBytes: number } {
  const recordings = 4;
  const recordingBytes = Math.floor((megabytes * 1_000_000 * 3) / 4 / recordings);
  const entries = Array.from({ length: recordings }, (_, i) => {
    const bytes = randomBytes(recordingBytes);
    WEBM_HEAD.copy(bytes);
    const situation = `Situation ${i + 1}: a customer is angry about a late delivery.`;
    return {
      question: `Situation: ${situation}\n\nQuestion: What do you do?`,
      answer: 'I listen, apologise and offer a concrete fix.',
      situation,
      assessedCompetency: 'Customer Focus',
      languageCode: 'en',
      ...(i % 2 === 1 ? { followUpGenerated: true } : {}),
      videoDataUri: `data:video/webm;codecs=vp9,opus;base64,${bytes.toString('base64')}`,
    };
  });
  const body = Buffer.from(
    JSON.stringify({ candidate_name: 'Bench Candidate', test_type: 'SJT', conversation_history: entries }),
  );
  return { body, recordingBytes };
}

/** POST /api/v1/submissions with `body`; anything but 201 invalidates the benchmark. */
export function postSubmission(agent: Agent, appUrl: string, token: string, body: Buffer): Promise<void> {
  const target = new URL(`${appUrl}/api/v1/submissions`);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to load anything but 127.0.0.1 (${appUrl})`);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          res.statusCode === 201
            ? resolve()
            : reject(
                new Error(`submission: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`),
              ),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error('submission timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
