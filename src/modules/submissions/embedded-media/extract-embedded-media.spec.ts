import { MAX_BODY_DEPTH } from '../../../common/http/body-shape';
import { EmbeddedMediaParser, IN_THREAD_MAX_BYTES } from './embedded-media.parser';
import { decodeDataUri, extractEmbeddedMedia, ExtractOutcome } from './extract-embedded-media';

const LIMITS = { maxResidualBytes: 1024 * 1024 };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const webm = (size: number) => {
  const bytes = Buffer.alloc(size, 7);
  Buffer.from('1a45dfa3', 'hex').copy(bytes);
  return bytes;
};

describe('decodeDataUri', () => {
  it("decodes base64 data URIs, Chrome's unquoted codecs list included, and keeps the type without parameters", () => {
    const bytes = webm(100);
    for (const uri of [
      `data:video/webm;codecs=vp9,opus;base64,${bytes.toString('base64')}`,
      `data:Video/WebM;base64,${bytes.toString('base64')}`,
    ]) {
      const decoded = decodeDataUri(uri);
      expect('error' in decoded).toBe(false);
      if ('error' in decoded) continue;
      expect(decoded.declaredType).toBe('video/webm');
      expect(Buffer.from(decoded.bytes).equals(bytes)).toBe(true);
    }
    expect(decodeDataUri('data:audio/ogg;base64,QUI')).toMatchObject({ declaredType: 'audio/ogg' }); // unpadded
  });

  it('refuses anything that is not strict base64 with a type/subtype, and empty payloads', () => {
    for (const uri of [
      'data:video/webm,abc',
      'data:video/webm;base64,',
      'data:;base64,QUJD',
      'data:webm;base64,QUJD',
      'data:video/webm;base64,QUJD RA==',
      'data:video/webm;base64,QUJD\nRA==',
      'data:video/webm;base64,QU-D',
      'data:video/webm;base64,QUJDR',
      'data:video/webm;base64,QQ=A',
      'data:video/webm;base64,QUJD====',
    ]) {
      expect({ uri, error: 'error' in decodeDataUri(uri) }).toEqual({ uri, error: true });
    }
  });
});

describe('extractEmbeddedMedia', () => {
  it("takes data URIs out of the entries' videoDataUri/audioDataUri only, nulling them; other fields stay", () => {
    const video = webm(3000);
    const body = {
      candidate_name: 'n',
      videoDataUri: `data:video/webm;base64,${video.toString('base64')}`,
      conversation_history: [
        { question: 'q0', answer: 'a0', videoDataUri: `data:video/webm;base64,${video.toString('base64')}` },
        {
          question: 'q1',
          videoDataUri: 'https://example.com/x.webm',
          audioDataUri: `data:audio/ogg;base64,${video.toString('base64')}`,
        },
        'text',
        null,
        { question: 'q4', answer: `data:video/webm;base64,${video.toString('base64')}` },
      ],
    };
    const outcome = extractEmbeddedMedia(json(body), LIMITS);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.embedded.map((m) => [m.entryIndex, m.field, m.declaredType, m.bytes.length])).toEqual([
      [0, 'videoDataUri', 'video/webm', 3000],
      [1, 'audioDataUri', 'audio/ogg', 3000],
    ]);
    const history = (outcome.body as typeof body).conversation_history as Record<string, unknown>[];
    expect(history[0].videoDataUri).toBeNull();
    expect(history[1]).toEqual({ question: 'q1', videoDataUri: 'https://example.com/x.webm', audioDataUri: null });
    expect(history[4].answer).toBe(
      body.conversation_history[4] && (body.conversation_history[4] as { answer: string }).answer,
    );
    expect((outcome.body as typeof body).videoDataUri).toBe(body.videoDataUri);
    expect(outcome.residualBytes).toBeLessThan(json(body).length - 2 * 4000);
  });

  it('names the entry of a bad data URI; malformed JSON, too deep and too much text are told apart', () => {
    const bad = json({ conversation_history: [{}, {}, {}, { videoDataUri: 'data:video/webm;base64,@@@@' }] });
    expect(extractEmbeddedMedia(bad, LIMITS)).toEqual({
      ok: false,
      kind: 'bad_data_uri',
      field: 'conversation_history[3].videoDataUri',
      message: 'the data URI is not valid base64',
    });
    expect(extractEmbeddedMedia(Buffer.from('{"a":'), LIMITS)).toEqual({ ok: false, kind: 'malformed_json' });
    const deep = Buffer.from(`${'['.repeat(MAX_BODY_DEPTH + 1)}${']'.repeat(MAX_BODY_DEPTH + 1)}`);
    expect(extractEmbeddedMedia(deep, LIMITS)).toMatchObject({ ok: false, kind: 'shape', code: 'BODY_TOO_DEEP' });
    const justDeepEnough = Buffer.from(`${'['.repeat(MAX_BODY_DEPTH)}${']'.repeat(MAX_BODY_DEPTH)}`);
    expect(extractEmbeddedMedia(justDeepEnough, LIMITS).ok).toBe(true);
    const wide = json({
      conversation_history: [Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))],
    });
    expect(extractEmbeddedMedia(wide, LIMITS)).toMatchObject({ ok: false, kind: 'shape', code: 'BODY_TOO_WIDE' });
    const wordy = json({ conversation_history: [{ answer: 'x'.repeat(2000) }] });
    expect(extractEmbeddedMedia(wordy, { ...LIMITS, maxResidualBytes: 1000 })).toMatchObject({
      ok: false,
      kind: 'too_large',
    });
  });
});

describe('EmbeddedMediaParser', () => {
  const parser = new EmbeddedMediaParser();
  afterAll(() => parser.onApplicationShutdown());

  const strip = (outcome: ExtractOutcome) =>
    outcome.ok
      ? {
          ...outcome,
          embedded: outcome.embedded.map((m) => ({ ...m, bytes: Buffer.from(m.bytes).toString('base64') })),
        }
      : outcome;

  it('gives the same outcome in a worker thread (large bodies, streamed in chunks) as in-thread', async () => {
    const video = webm(IN_THREAD_MAX_BYTES);
    const body = json({
      conversation_history: [
        { question: 'q', videoDataUri: `data:video/webm;base64,${video.toString('base64')}` },
        { question: 'r' },
      ],
    });
    expect(body.length).toBeGreaterThan(IN_THREAD_MAX_BYTES);
    const session = parser.session(LIMITS);
    for (let at = 0; at < body.length; at += 65536) session.push(body.subarray(at, at + 65536));
    const viaWorker = await session.finish();
    expect(strip(viaWorker)).toEqual(strip(extractEmbeddedMedia(body, LIMITS)));
    expect(viaWorker.ok && Buffer.from(viaWorker.embedded[0].bytes).equals(video)).toBe(true);

    const bad = Buffer.concat([
      body.subarray(0, body.length - 30),
      Buffer.from('"videoDataUri":"data:x/y;base64,@"}]}'),
    ]);
    expect(await parser.parse(bad, LIMITS)).toMatchObject({ ok: false });
    // A cancelled body leaves nothing pending, and the worker goes on serving.
    const cancelled = parser.session(LIMITS);
    cancelled.push(body);
    cancelled.cancel();
    expect((await parser.parse(body, LIMITS)).ok).toBe(true);
  });
});
