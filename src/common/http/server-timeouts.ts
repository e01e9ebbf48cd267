import type { Server } from 'node:http';
import { AppConfig } from '../../config/app-config';

/**
 * The http.Server's limits against slow and idle clients (README.md "Configuration"), set before it listens:
 * - headersTimeout: the request line and headers must arrive within it (a client trickling header bytes is
 *   answered 408 and disconnected);
 * - requestTimeout: the whole request, body included, must arrive within it — generous, since a 10 MB upload on a
 *   slow link is legitimate; what stops a stalled one is
 * - the idle timeout: a socket on which nothing moves either way for that long is destroyed;
 * - keepAliveTimeout: how long an idle keep-alive connection waits for the next request (below headersTimeout,
 *   as Node's documentation asks).
 * Node checks the headers and request deadlines on a timer (30 s by default), so it is made to tick often enough
 * for those limits to mean what they say.
 */
export function applyServerTimeouts(server: Server, timeouts: AppConfig['http']): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.setTimeout(timeouts.idleTimeoutMs);
  const shortest = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs || Infinity);
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1_000, Math.floor(shortest / 4)),
  );
}
