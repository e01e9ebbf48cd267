import { Writable } from 'node:stream';
import pino from 'pino';
import { loggablePath, PinoNestLogger, REDACT_PATHS } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, stream);
  return { logger, lines };
}

describe('JSON logger', () => {
  it('logs request paths without query strings and without invitation tokens', () => {
    const token = 'q7Zk3bW8m1VYt0n2cXr4d5Ue6Hf9Ga0Jb1Kc2Ld3Me4';
    expect(loggablePath(`/take/${token}`)).toBe('/take/[REDACTED]');
    expect(loggablePath(`/api/take-test/${token}/answers`)).toBe('/api/take-test/[REDACTED]/answers');
    expect(loggablePath(`/api/start-test/${token}`)).toBe('/api/start-test/[REDACTED]');
    expect(loggablePath(`/api/submit-test/${token}?x=1`)).toBe('/api/submit-test/[REDACTED]');
    expect(loggablePath(`/api/invites/token/${token}/schedule`)).toBe('/api/invites/token/[REDACTED]/schedule');
    expect(loggablePath('/api/v1/users?token=abc')).toBe('/api/v1/users');
    expect(loggablePath('/proctor')).toBe('/proctor');
    expect(loggablePath('/api/invites/6a1e0f52-3333-4333-8333-333333333333')).toBe(
      '/api/invites/6a1e0f52-3333-4333-8333-333333333333',
    );
  });

  it('redacts the Authorization header, cookies, passwords and tokens', () => {
    const { logger, lines } = capture();
    logger.info({
      req: { headers: { authorization: 'Bearer eyJsecret', cookie: 'sid=1', 'user-agent': 'jest' } },
      body: { email: 'a@b.c', password: 'hunter22', refresh_token: 'r-secret', new_password: 'n' },
      invite: { invite_token: 'tok' },
    });
    const text = JSON.stringify(lines);
    for (const secret of ['eyJsecret', 'sid=1', 'hunter22', 'r-secret', '"n"', 'tok"'])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', 'user-agent': 'jest' } },
      body: { email: 'a@b.c', password: '[REDACTED]', refresh_token: '[REDACTED]' },
    });
  });

  it('routes Nest log calls into JSON with their context', () => {
    const { logger, lines } = capture();
    const nest = new PinoNestLogger(logger);
    nest.log('started', 'Bootstrap');
    nest.warn({ count: 2 }, 'files left', 'Storage');
    nest.error(new Error('boom'), 'Errors');
    expect(lines[0]).toMatchObject({ msg: 'started', context: 'Bootstrap' });
    expect(lines[1]).toMatchObject({ msg: 'files left', count: 2, context: 'Storage' });
    expect(lines[2]).toMatchObject({ msg: 'boom', context: 'Errors', err: { message: 'boom' } });
  });
});
