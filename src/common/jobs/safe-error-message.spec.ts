import { MAX_ERROR_LENGTH, safeErrorMessage } from './safe-error-message';

describe('safeErrorMessage', () => {
  it('masks the credentials of URLs', () => {
    expect(safeErrorMessage(new Error('cannot reach smtp://mailer:hunter2@smtp.example.com:587'))).toBe(
      'cannot reach smtp://***@smtp.example.com:587',
    );
  });

  it('drops AUTH arguments and password fragments', () => {
    expect(safeErrorMessage(new Error('Invalid login: AUTH PLAIN AGFkYQBzZWNyZXQ= rejected'))).toBe(
      'Invalid login: AUTH PLAIN *** rejected',
    );
    expect(safeErrorMessage('bad password=hunter2 given')).toBe('bad password=*** given');
  });

  it('puts the error code in front and folds lines', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25\n  more'), { code: 'ESOCKET' });
    expect(safeErrorMessage(error)).toBe('ESOCKET: connect ECONNREFUSED 127.0.0.1:25 more');
  });

  it('reads AggregateErrors and errors from other realms', () => {
    const aggregate = new AggregateError(
      [new Error('connect ECONNREFUSED ::1:25'), new Error('connect ECONNREFUSED 127.0.0.1:25')],
      '',
    );
    expect(safeErrorMessage(aggregate)).toBe('connect ECONNREFUSED ::1:25; connect ECONNREFUSED 127.0.0.1:25');
    expect(safeErrorMessage({ message: 'foreign', code: 'EX' })).toBe('EX: foreign');
    expect(safeErrorMessage(42)).toBe('unknown error');
  });

  it('caps the length', () => {
    expect(safeErrorMessage('x'.repeat(5000))).toHaveLength(MAX_ERROR_LENGTH);
  });
});
