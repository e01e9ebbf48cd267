import { ConfigError, DEFAULT_SECRET_KEY, loadConfig } from './app-config';

const errorFor = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('has embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.environment).toBe('development');
    expect(config.port).toBe(8000);
    expect(config.database.url).toBeNull();
    expect(config.redisUrl).toBeNull();
    expect(config.storage).toMatchObject({ provider: 'local', path: './uploads', maxFileSize: 10 * 1024 * 1024 });
    expect(config.auth).toMatchObject({ accessTokenMinutes: 15, refreshTokenDays: 7, allowPublicRegistration: false });
    expect(config.rateLimits.loginPerAccount).toEqual({ limit: 5, windowSeconds: 900 });
    expect(config.rateLimits.loginPerIp).toEqual({ limit: 50, windowSeconds: 900 });
    expect(config.rateLimits.changePassword).toEqual({ limit: 5, windowSeconds: 900 });
    expect(config.database).toMatchObject({ connectTimeoutMs: 5000, statementTimeoutMs: 15_000 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('builds a URL from the second seed DB_* variables, escaping credentials', () => {
    const config = loadConfig({ DB_HOST: 'db', DB_PORT: '6543', DB_USER: 'app', DB_PASSWORD: 'p@ss/w', DB_NAME: 'x' });
    expect(config.database.url).toBe('postgresql://app:p%40ss%2Fw@db:6543/x');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/d', DB_HOST: 'ignored' }).database.url).toBe('postgres://u@h/d');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ACCESS_TOKEN_EXPIRE_MINUTES: '0' }, 'ACCESS_TOKEN_EXPIRE_MINUTES'],
    [{ ALLOW_PUBLIC_REGISTRATION: 'maybe' }, 'ALLOW_PUBLIC_REGISTRATION'],
    [{ STORAGE_PROVIDER: 'ftp' }, 'STORAGE_PROVIDER'],
    [{ STORAGE_PROVIDER: 's3' }, 'AWS_S3_BUCKET'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ ENVIRONMENT: 'staging' }, 'ENVIRONMENT'],
    [{ ICE_SERVERS: '{"urls":"stun:x"}' }, 'ICE_SERVERS'],
    [{ RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '-1' }, 'RATE_LIMIT_LOGIN_ACCOUNT_LIMIT'],
    [{ BOOTSTRAP_SUPERADMIN_EMAIL: 'a@b.c' }, 'BOOTSTRAP_SUPERADMIN_PASSWORD'],
    [{ REFRESH_REUSE_GRACE_SECONDS: '11' }, 'REFRESH_REUSE_GRACE_SECONDS'],
    [{ DB_CONNECT_TIMEOUT_MS: '0' }, 'DB_CONNECT_TIMEOUT_MS'],
    [{ DB_STATEMENT_TIMEOUT_MS: 'soon' }, 'DB_STATEMENT_TIMEOUT_MS'],
    [{ RATE_LIMIT_CHANGE_PASSWORD_LIMIT: '0' }, 'RATE_LIMIT_CHANGE_PASSWORD_LIMIT'],
    [{ TURN_TTL_SECONDS: '30' }, 'TURN_TTL_SECONDS'],
    [{ TURN_TTL_SECONDS: 'an hour' }, 'TURN_TTL_SECONDS'],
  ])('rejects %j naming %s', (env, variable) => {
    const error = errorFor(env as Record<string, string>);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it('reads the TURN secret and credential lifetime (default: no secret, 3600 s)', () => {
    expect(loadConfig({}).turn).toEqual({ secret: null, ttlSeconds: 3600 });
    expect(loadConfig({ TURN_SECRET: ' s3cret ', TURN_TTL_SECONDS: '600' }).turn).toEqual({
      secret: 's3cret',
      ttlSeconds: 600,
    });
  });

  it('refuses production with a missing, default or short SECRET_KEY', () => {
    expect(errorFor({ ENVIRONMENT: 'production' }).variable).toBe('SECRET_KEY');
    expect(errorFor({ ENVIRONMENT: 'production', SECRET_KEY: DEFAULT_SECRET_KEY }).variable).toBe('SECRET_KEY');
    expect(errorFor({ ENVIRONMENT: 'production', SECRET_KEY: 'short' }).variable).toBe('SECRET_KEY');
    const ok = loadConfig({ ENVIRONMENT: 'prod', SECRET_KEY: 'x'.repeat(40) });
    expect(ok.environment).toBe('production');
    expect(ok.auth.bcryptCost).toBe(12);
  });

  it('does not allow a weak bcrypt cost in production', () => {
    expect(errorFor({ ENVIRONMENT: 'production', SECRET_KEY: 'x'.repeat(40), BCRYPT_COST: '4' }).variable).toBe(
      'BCRYPT_COST',
    );
    expect(loadConfig({ ENVIRONMENT: 'test', BCRYPT_COST: '4' }).auth.bcryptCost).toBe(4);
  });

  it('parses lists and booleans', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'http://a.test, http://b.test,',
      TRUST_PROXY: 'yes',
      ENVIRONMENT: 'dev',
    });
    expect(config.corsOrigins).toEqual(['http://a.test', 'http://b.test']);
    expect(config.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(config.environment).toBe('development');
  });
  it('reads the HTTP server timeouts, keeping headers above keep-alive and the request limit above headers', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 600_000,
      keepAliveTimeoutMs: 5_000,
      idleTimeoutMs: 60_000,
    });
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0', HTTP_IDLE_TIMEOUT_MS: '0' }).http).toMatchObject({
      requestTimeoutMs: 0,
      idleTimeoutMs: 0,
    });
    expect(errorFor({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000' }).variable).toBe(
      'HTTP_HEADERS_TIMEOUT_MS',
    );
    expect(errorFor({ HTTP_REQUEST_TIMEOUT_MS: '9000' }).variable).toBe('HTTP_REQUEST_TIMEOUT_MS');
    expect(errorFor({ HTTP_HEADERS_TIMEOUT_MS: '0' }).variable).toBe('HTTP_HEADERS_TIMEOUT_MS');
  });

  it('reads the background jobs and mail retry settings', () => {
    expect(loadConfig({}).jobs).toEqual({ enabled: true, pollIntervalSeconds: 2, poolSize: 4 });
    expect(loadConfig({}).mail).toMatchObject({ smtpUrl: null, retryLimit: 8, retryDelaySeconds: 30 });
    expect(loadConfig({ JOBS_ENABLED: 'false', JOBS_POLL_INTERVAL_SECONDS: '0.5', JOBS_POOL_SIZE: '2' }).jobs).toEqual({
      enabled: false,
      pollIntervalSeconds: 0.5,
      poolSize: 2,
    });
    // pg-boss polls at most every 0.5 s
    expect(errorFor({ JOBS_POLL_INTERVAL_SECONDS: '0.1' }).variable).toBe('JOBS_POLL_INTERVAL_SECONDS');
    expect(errorFor({ JOBS_POLL_INTERVAL_SECONDS: 'soon' }).variable).toBe('JOBS_POLL_INTERVAL_SECONDS');
    expect(errorFor({ JOBS_POOL_SIZE: '1' }).variable).toBe('JOBS_POOL_SIZE');
    expect(errorFor({ MAIL_RETRY_DELAY_SECONDS: '0' }).variable).toBe('MAIL_RETRY_DELAY_SECONDS');
    expect(errorFor({ SMTP_URL: 'http://mail.example.com' }).variable).toBe('SMTP_URL');
  });
});
