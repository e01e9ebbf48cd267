/**
 * The one place that reads the environment. Every variable is parsed and validated once, at boot, into a
 * frozen, typed object; a bad value stops the app with a message naming the variable.
 */
export type Environment = 'development' | 'test' | 'production';
export type StorageProvider = 'local' | 's3';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface AppConfig {
  environment: Environment;
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Express 'trust proxy': false, a hop count, or a list of trusted proxy addresses/subnets. */
  trustProxy: boolean | number | string[];
  shutdownTimeoutMs: number;
  /** Node http.Server limits against slow or idle clients (README.md "Configuration"); 0 disables one. */
  http: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    idleTimeoutMs: number;
  };
  corsOrigins: string[];
  publicBaseUrl: string;
  /** Largest POST /api/v1/submissions body (recordings embedded as data URIs); every other JSON body: 1 MB. */
  submissionMaxBodyBytes: number;
  database: {
    /** Null when the app should start its embedded PostgreSQL. */
    url: string | null;
    /**
     * The owner's URL for migrations (DATABASE_MIGRATION_URL); null: migrations use `url`. The app serves as a
     * plain role under row-level security, the owner only migrates (README.md "Security model").
     */
    migrationUrl: string | null;
    poolSize: number;
    /** Pool: opening a connection, or waiting for a free one, fails after this (then 503). */
    connectTimeoutMs: number;
    /** Server-side statement_timeout; the client also gives up on an unresponsive server after this plus 1 s. */
    statementTimeoutMs: number;
    migrationsRun: boolean;
    embeddedDataDir: string;
  };
  redisUrl: string | null;
  auth: {
    secretKey: string;
    accessTokenMinutes: number;
    refreshTokenDays: number;
    refreshReuseGraceSeconds: number;
    bcryptCost: number;
    allowPublicRegistration: boolean;
    bootstrapSuperadminEmail: string | null;
    bootstrapSuperadminPassword: string | null;
  };
  rateLimits: {
    loginPerAccount: RateLimitRule;
    loginPerIp: RateLimitRule;
    register: RateLimitRule;
    refresh: RateLimitRule;
    /** Wrong current_password answers per account; reaching it revokes the caller's session. */
    changePassword: RateLimitRule;
    /** Every request to a public invitation-token route, per client IP. */
    invitationTokenIp: RateLimitRule;
    /** Every request to a public invitation-token route, per token. */
    invitationTokenPerToken: RateLimitRule;
    /** Unknown (wrong) invitation tokens per client IP; over it, every token route refuses that IP. */
    invitationTokenMisses: RateLimitRule;
    /** Proctoring Socket.IO handshakes per client IP (docs/proctoring.md "Connecting"). */
    proctoringHandshakeIp: RateLimitRule;
  };
  /** Timed tests: invitation expiry, the schedule window, the grace after an attempt's deadline. */
  timedTests: {
    invitationExpiryDays: number;
    scheduleWindowMinutes: number;
    submitGraceSeconds: number;
    bulkMaxRows: number;
    bulkMaxBytes: number;
  };
  /** The global API throttle (@nestjs/throttler), per user or anonymous IP. */
  throttle: {
    burst: RateLimitRule;
    sustained: RateLimitRule;
    upload: RateLimitRule;
  };
  storage: {
    provider: StorageProvider;
    path: string;
    maxFileSize: number;
    s3: {
      accessKeyId: string | null;
      secretAccessKey: string | null;
      bucket: string | null;
      region: string;
      endpoint: string | null;
    };
  };
  mail: {
    smtpUrl: string | null;
    from: string;
    outboxDir: string;
    /** Delivery attempts after the first one, spaced by pg-boss's exponential backoff from retryDelaySeconds. */
    retryLimit: number;
    retryDelaySeconds: number;
  };
  /** Background jobs on pg-boss (README.md "Background jobs"). */
  jobs: {
    /** Off: this instance neither starts pg-boss nor runs workers; `JobsService.send` is a no-op. */
    enabled: boolean;
    /** How often an idle worker asks PostgreSQL for a job (pg-boss allows 0.5 s at the least). */
    pollIntervalSeconds: number;
    /** Connections of pg-boss's own pool (at least 2: one may hold the queue-creation lock). */
    poolSize: number;
  };
  iceServers: unknown[];
  /** The proctoring gateway (docs/proctoring.md "Limits", "Several instances"). */
  proctoring: {
    /** Events per second each socket may send, and the burst above it. */
    eventsPerSecond: number;
    eventBurst: number;
    /** How often staff sockets' sessions, users and tenants are re-checked (one query per instance). */
    recheckMs: number;
    /** Prefix of the Socket.IO Redis adapter's channels (several deployments, or tests, on one Redis). */
    redisKey: string;
  };
  /**
   * TURN credentials (coturn's `use-auth-secret`): with a secret, every `turn:`/`turns:` entry of iceServers is
   * handed out with a username `<expiry unix>:<user id>` and its HMAC-SHA1 as credential, valid ttlSeconds. The
   * secret itself is never logged nor sent (src/modules/proctoring/ice-servers.ts).
   */
  turn: {
    secret: string | null;
    ttlSeconds: number;
  };
}

export const DEFAULT_SECRET_KEY = 'dev-secret-key-change-in-production';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class EnvReader {
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | null {
    return this.raw(name) ?? null;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${parsed}`);
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(name, `must be a boolean (true/false), got "${value}"`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }

  url(name: string, protocols: string[]): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, 'must be a valid URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must use one of ${protocols.join(', ')}`);
    }
    return value;
  }

  /** A decimal number (e.g. `0.5`). */
  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+(\.\d+)?$/.test(value)) throw new ConfigError(name, `must be a number, got "${value}"`);
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      throw new ConfigError(name, `must be between ${min} and ${max}, got ${parsed}`);
    }
    return parsed;
  }

  rule(prefix: string, limit: number, windowSeconds: number): RateLimitRule {
    return {
      limit: this.int(`${prefix}_LIMIT`, limit, 1, 1_000_000),
      windowSeconds: this.int(`${prefix}_WINDOW_SECONDS`, windowSeconds, 1, 86_400 * 7),
    };
  }
}

function normaliseEnvironment(reader: EnvReader): Environment {
  const value = reader.raw('ENVIRONMENT')?.toLowerCase();
  if (value === undefined) return 'development';
  const aliases: Record<string, Environment> = {
    dev: 'development',
    development: 'development',
    test: 'test',
    testing: 'test',
    prod: 'production',
    production: 'production',
  };
  const resolved = aliases[value];
  if (!resolved) throw new ConfigError('ENVIRONMENT', `must be development, test or production, got "${value}"`);
  return resolved;
}

/** DATABASE_URL wins; otherwise the second seed's DB_HOST…DB_NAME; otherwise null (embedded). */
function databaseUrl(reader: EnvReader): string | null {
  const url = reader.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  if (url) return url;
  const host = reader.raw('DB_HOST');
  if (!host) return null;
  const port = reader.int('DB_PORT', 5432, 1, 65535);
  const user = encodeURIComponent(reader.string('DB_USER', 'postgres'));
  const password = reader.raw('DB_PASSWORD');
  const name = encodeURIComponent(reader.string('DB_NAME', 'trajectorie'));
  const auth = password ? `${user}:${encodeURIComponent(password)}` : user;
  return `postgresql://${auth}@${host}:${port}/${name}`;
}

function iceServers(reader: EnvReader): unknown[] {
  const value = reader.raw('ICE_SERVERS');
  if (value === undefined) return [{ urls: 'stun:stun.l.google.com:19302' }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError('ICE_SERVERS', 'must be a JSON array of RTCIceServer objects');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('ICE_SERVERS', 'must be a JSON array of RTCIceServer objects');
  return parsed;
}

/**
 * TRUST_PROXY: `false` (default: X-Forwarded-For ignored), a hop count (`1` = one proxy in front), or a comma list
 * of proxy addresses/subnets. `true` trusts every hop, which lets a client choose its own IP for rate limiting;
 * it is accepted but means "1 hop" here.
 */
function trustProxy(r: EnvReader): boolean | number | string[] {
  const value = r.raw('TRUST_PROXY');
  if (value === undefined) return false;
  if (/^\d+$/.test(value)) return r.int('TRUST_PROXY', 0, 0, 10);
  const lowered = value.toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
  if (['1', 'true', 'yes', 'on'].includes(lowered)) return 1;
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (list.some((item) => !/^[0-9a-fA-F:./]+$|^(loopback|linklocal|uniquelocal)$/.test(item))) {
    throw new ConfigError('TRUST_PROXY', 'must be true/false, a hop count, or a list of proxy addresses/subnets');
  }
  return list;
}

/** Node checks a request's headers and whole-request deadlines on the same timer, so they must be consistent. */
function httpTimeouts(r: EnvReader): AppConfig['http'] {
  const hour = 3_600_000;
  const timeouts = {
    headersTimeoutMs: r.int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1, hour),
    requestTimeoutMs: r.int('HTTP_REQUEST_TIMEOUT_MS', 600_000, 0, 24 * hour),
    keepAliveTimeoutMs: r.int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 1, hour),
    idleTimeoutMs: r.int('HTTP_IDLE_TIMEOUT_MS', 60_000, 0, 24 * hour),
  };
  if (timeouts.headersTimeoutMs <= timeouts.keepAliveTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', 'must be greater than HTTP_KEEP_ALIVE_TIMEOUT_MS');
  }
  if (timeouts.requestTimeoutMs !== 0 && timeouts.requestTimeoutMs < timeouts.headersTimeoutMs) {
    throw new ConfigError('HTTP_REQUEST_TIMEOUT_MS', 'must be 0 or at least HTTP_HEADERS_TIMEOUT_MS');
  }
  return timeouts;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new EnvReader(env);
  const environment = normaliseEnvironment(r);
  const production = environment === 'production';

  const secretKey = r.string('SECRET_KEY', DEFAULT_SECRET_KEY);
  if (production && secretKey === DEFAULT_SECRET_KEY) {
    throw new ConfigError('SECRET_KEY', 'must be set to a non-default value when ENVIRONMENT=production');
  }
  if (production && secretKey.length < 32) {
    throw new ConfigError('SECRET_KEY', 'must be at least 32 characters when ENVIRONMENT=production');
  }

  const port = r.int('PORT', 8000, 0, 65535);
  const storageProvider = r.oneOf<StorageProvider>('STORAGE_PROVIDER', ['local', 's3'], 'local');
  const bucket = r.optional('AWS_S3_BUCKET');
  if (storageProvider === 's3' && !bucket) {
    throw new ConfigError('AWS_S3_BUCKET', 'is required when STORAGE_PROVIDER=s3');
  }

  const config: AppConfig = {
    environment,
    port,
    host: r.string('HOST', '0.0.0.0'),
    logLevel: r.oneOf<LogLevel>(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      environment === 'test' ? 'silent' : 'info',
    ),
    trustProxy: trustProxy(r),
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    http: httpTimeouts(r),
    corsOrigins: (r.raw('CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    publicBaseUrl: r.url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    submissionMaxBodyBytes: r.int('SUBMISSION_MAX_BODY_BYTES', 64 * 1024 * 1024, 1024 * 1024, 1024 * 1024 * 1024),
    database: {
      url: databaseUrl(r),
      migrationUrl: r.url('DATABASE_MIGRATION_URL', ['postgres:', 'postgresql:']),
      poolSize: r.int('DB_POOL_SIZE', 10, 1, 200),
      connectTimeoutMs: r.int('DB_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
      statementTimeoutMs: r.int('DB_STATEMENT_TIMEOUT_MS', 15_000, 100, 3_600_000),
      migrationsRun: r.bool('MIGRATIONS_RUN', true),
      embeddedDataDir: r.string('EMBEDDED_PG_DATA_DIR', './data/postgres'),
    },
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    auth: {
      secretKey,
      accessTokenMinutes: r.int('ACCESS_TOKEN_EXPIRE_MINUTES', 15, 1, 24 * 60),
      refreshTokenDays: r.int('REFRESH_TOKEN_EXPIRE_DAYS', 7, 1, 365),
      refreshReuseGraceSeconds: r.int('REFRESH_REUSE_GRACE_SECONDS', 10, 0, 10),
      bcryptCost: r.int('BCRYPT_COST', production ? 12 : 10, production ? 10 : 4, 15),
      allowPublicRegistration: r.bool('ALLOW_PUBLIC_REGISTRATION', false),
      bootstrapSuperadminEmail: r.optional('BOOTSTRAP_SUPERADMIN_EMAIL'),
      bootstrapSuperadminPassword: r.optional('BOOTSTRAP_SUPERADMIN_PASSWORD'),
    },
    rateLimits: {
      loginPerAccount: r.rule('RATE_LIMIT_LOGIN_ACCOUNT', 5, 900),
      loginPerIp: r.rule('RATE_LIMIT_LOGIN_IP', 50, 900),
      register: r.rule('RATE_LIMIT_REGISTER', 10, 3600),
      refresh: r.rule('RATE_LIMIT_REFRESH', 60, 60),
      changePassword: r.rule('RATE_LIMIT_CHANGE_PASSWORD', 5, 900),
      invitationTokenIp: r.rule('RATE_LIMIT_INVITE_TOKEN_IP', 600, 60),
      invitationTokenPerToken: r.rule('RATE_LIMIT_INVITE_TOKEN', 120, 60),
      invitationTokenMisses: r.rule('RATE_LIMIT_INVITE_TOKEN_MISSES', 20, 900),
      proctoringHandshakeIp: r.rule('RATE_LIMIT_PROCTORING_HANDSHAKE_IP', 120, 60),
    },
    timedTests: {
      invitationExpiryDays: r.int('INVITATION_EXPIRY_DAYS', 30, 1, 365),
      scheduleWindowMinutes: r.int('SCHEDULE_WINDOW_MINUTES', 30, 1, 24 * 60),
      submitGraceSeconds: r.int('SUBMIT_GRACE_SECONDS', 60, 0, 3600),
      bulkMaxRows: r.int('INVITE_BULK_MAX_ROWS', 500, 1, 10_000),
      bulkMaxBytes: r.int('INVITE_BULK_MAX_BYTES', 1024 * 1024, 1024, 10 * 1024 * 1024),
    },
    throttle: {
      burst: r.rule('THROTTLE_BURST', 100, 10),
      sustained: r.rule('THROTTLE_SUSTAINED', 1000, 60),
      upload: r.rule('THROTTLE_UPLOAD', 30, 60),
    },
    storage: {
      provider: storageProvider,
      path: r.string('STORAGE_PATH', './uploads'),
      maxFileSize: r.int('MAX_FILE_SIZE', 10 * 1024 * 1024, 1, 5 * 1024 * 1024 * 1024),
      s3: {
        accessKeyId: r.optional('AWS_ACCESS_KEY_ID'),
        secretAccessKey: r.optional('AWS_SECRET_ACCESS_KEY'),
        bucket,
        region: r.string('AWS_S3_REGION', 'us-east-1'),
        endpoint: r.url('AWS_S3_ENDPOINT', ['http:', 'https:']),
      },
    },
    mail: {
      smtpUrl: r.url('SMTP_URL', ['smtp:', 'smtps:']),
      from: r.string('MAIL_FROM', 'Trajectorie <no-reply@localhost>'),
      outboxDir: r.string('MAIL_OUTBOX_DIR', './data/outbox'),
      retryLimit: r.int('MAIL_RETRY_LIMIT', 8, 0, 100),
      retryDelaySeconds: r.int('MAIL_RETRY_DELAY_SECONDS', 30, 1, 86_400),
    },
    jobs: {
      enabled: r.bool('JOBS_ENABLED', true),
      pollIntervalSeconds: r.number('JOBS_POLL_INTERVAL_SECONDS', 2, 0.5, 600),
      poolSize: r.int('JOBS_POOL_SIZE', 4, 2, 50),
    },
    iceServers: iceServers(r),
    proctoring: {
      eventsPerSecond: r.int('PROCTORING_EVENTS_PER_SECOND', 50, 1, 10_000),
      eventBurst: r.int('PROCTORING_EVENT_BURST', 100, 1, 100_000),
      recheckMs: r.int('PROCTORING_RECHECK_MS', 2000, 100, 60_000),
      redisKey: r.string('PROCTORING_REDIS_KEY', 'trajectorie:proctoring'),
    },
    turn: {
      secret: r.optional('TURN_SECRET'),
      ttlSeconds: r.int('TURN_TTL_SECONDS', 3600, 60, 7 * 86_400),
    },
  };

  const { bootstrapSuperadminEmail: email, bootstrapSuperadminPassword: password } = config.auth;
  if (Boolean(email) !== Boolean(password)) {
    throw new ConfigError(
      email ? 'BOOTSTRAP_SUPERADMIN_PASSWORD' : 'BOOTSTRAP_SUPERADMIN_EMAIL',
      'must be set together with its pair',
    );
  }
  if (password && (password.length < 8 || Buffer.byteLength(password) > 72)) {
    throw new ConfigError('BOOTSTRAP_SUPERADMIN_PASSWORD', 'must be 8 to 72 bytes long');
  }
  return Object.freeze(config);
}
