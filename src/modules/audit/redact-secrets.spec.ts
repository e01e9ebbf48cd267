import { redactSecrets } from './audit.service';

describe('redactSecrets', () => {
  it('replaces the values of secret keys at any depth and keeps everything else', () => {
    const at = new Date('2026-11-30T01:02:03.000Z');
    expect(
      redactSecrets({
        password: 'p',
        new_password: 'p',
        password_hash: 'h',
        passwd: 'p',
        pass: 'p',
        passphrase: 'p',
        refresh_token: 't',
        nested: [{ api_key: 'k', apiKey: 'k', TURN_SECRET: 's', Authorization: 'Bearer x', cipher: 'c' }],
        passed: false,
        pass_mark_percent: 60,
        passenger: 'kept',
        title: 'Quiz',
        at,
      }),
    ).toEqual({
      password: '[REDACTED]',
      new_password: '[REDACTED]',
      password_hash: '[REDACTED]',
      passwd: '[REDACTED]',
      pass: '[REDACTED]',
      passphrase: '[REDACTED]',
      refresh_token: '[REDACTED]',
      nested: [
        {
          api_key: '[REDACTED]',
          apiKey: '[REDACTED]',
          TURN_SECRET: '[REDACTED]',
          Authorization: '[REDACTED]',
          cipher: '[REDACTED]',
        },
      ],
      passed: false,
      pass_mark_percent: 60,
      passenger: 'kept',
      title: 'Quiz',
      at: '2026-11-30T01:02:03.000Z',
    });
  });
});
