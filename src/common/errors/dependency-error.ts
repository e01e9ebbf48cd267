/**
 * Recognises a failure of a dependency (PostgreSQL, Redis) as opposed to a bug or a bad request: the exception
 * filter answers these with 503 and Retry-After, never with a 401 or 500 (see README.md, "Outages").
 */

/** Retry-After sent with a 503 caused by an unavailable dependency. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** Socket-level failures, from pg or ioredis. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs meaning "the server cannot serve you right now": class 08 (connection exception),
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up / shutting down),
 * 53300 too many connections, 57014 query canceled (statement_timeout).
 */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** Errors pg, pg-pool and ioredis raise without a code. */
const MESSAGES = [
  /^Connection terminated/i, // pg: server closed the socket, or connectionTimeoutMillis hit while connecting
  /^timeout exceeded when trying to connect/i, // pg-pool: no free connection within connectionTimeoutMillis
  /^Query read timeout/i, // pg: query_timeout, the server stopped answering
  /^Client has encountered a connection error and is not queryable/i,
  /^Client was closed and is not queryable/i,
  /^Cannot use a pool after calling end on the pool/i,
  /^the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i,
  /^Connection is closed\.?$/i, // ioredis
  /^Command timed out/i, // ioredis commandTimeout
  /^Stream isn't writeable/i, // ioredis without offline queue
  /^Reached the max retries per request limit/i, // ioredis MaxRetriesPerRequestError
];

/**
 * ioredis's, and TypeORM's "query runner already released": when PostgreSQL drops a connection, pg emits an error on
 * the pooled client and TypeORM releases the query runner holding it, so the transaction's next statement fails with
 * this instead of the connection error (seen in test/e2e/outage.e2e-spec.ts under load). Our code never uses a
 * runner it released itself, so it means a lost connection.
 */
const NAMES = new Set([
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/**
 * The AWS SDK (S3 storage): a 5xx from the store (503 SlowDown, 500 InternalError…), or no answer at all — the SDK
 * then wraps the socket error as "AWS SDK error wrapper for Error: connect ECONNREFUSED …" after its retries.
 */
const AWS_NETWORK_FAILURE =
  /^AWS SDK error wrapper for .*\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up)\b/i;

function awsStoreUnavailable(error: { $metadata?: unknown; message?: unknown; name?: unknown }): boolean {
  const status = (error.$metadata as { httpStatusCode?: unknown } | undefined)?.httpStatusCode;
  if (typeof status === 'number') return status >= 500;
  return (
    (typeof error.message === 'string' && AWS_NETWORK_FAILURE.test(error.message)) || error.name === 'TimeoutError'
  );
}

function matches(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if ('$metadata' in error && awsStoreUnavailable(error)) return true;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code) || code.startsWith('08'))) {
    return true;
  }
  if (typeof name === 'string' && NAMES.has(name)) return true;
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * True when `error` (a TypeORM QueryFailedError wrapping a driver error, a raw pg / pg-pool / ioredis error, or an
 * AggregateError of connection attempts) says a dependency is unreachable, stopped, overloaded or too slow.
 */
export function isDependencyFailure(error: unknown, depth = 0): boolean {
  if (depth > 3 || !error || typeof error !== 'object') return false;
  if (matches(error)) return true;
  const { driverError, cause, errors } = error as { driverError?: unknown; cause?: unknown; errors?: unknown };
  if (isDependencyFailure(driverError, depth + 1) || isDependencyFailure(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.length > 0 && errors.every((inner) => isDependencyFailure(inner, depth + 1));
}
