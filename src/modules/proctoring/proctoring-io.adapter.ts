import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../../config/app-config';

/** Socket.IO's `maxHttpBufferSize` for the app: a bigger message closes its connection (docs/proctoring.md). */
export const MAX_SOCKET_MESSAGE_BYTES = 64 * 1024;

/**
 * The app's Socket.IO server (set in src/app.setup.ts, so main.ts and the tests' app get the same one): messages capped
 * at 64 KiB, CORS for the polling transport from CORS_ORIGINS (none: same origin only), and with REDIS_URL the
 * `@socket.io/redis-adapter` on two connections of its own (pub/sub), so rooms, relays and pushes cross instances.
 * Closing the app closes the server (Nest), then the Redis connections (dispose): no open handles.
 *
 * The adapter is the sharded one (Redis 7's SPUBLISH/SSUBSCRIBE) in `dynamic` mode: a message to a room goes to that
 * room's channel, which only the instances with a member of the room subscribe to. With the classic adapter every
 * instance received every relay of every other (and its own) and dropped most: for 1:1 signalling the sharded one
 * costs less CPU per relayed signal (bench j, README).
 */
export class ProctoringIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
      ...(this.config.corsOrigins.length > 0 ? { cors: { origin: this.config.corsOrigins, credentials: true } } : {}),
    } as ServerOptions) as Server;
    const url = this.config.redisUrl;
    if (url) {
      const retryStrategy = (n: number) => Math.min(n * 100, 1000);
      // Publishing fails fast while Redis is away (a push is then lost, as on a network partition); the
      // subscriptions wait for it instead, so a Redis that comes up after the app still joins the instances.
      const pub = quietly(new Redis(url, { maxRetriesPerRequest: 2, retryStrategy }));
      const sub = quietly(new Redis(url, { maxRetriesPerRequest: null, retryStrategy }));
      for (const client of [pub, sub]) client.on('error', () => undefined); // the app's Redis module logs outages
      this.clients.push(pub, sub);
      server.adapter(
        createShardedAdapter(pub, sub, { channelPrefix: this.config.proctoring.redisKey, subscriptionMode: 'dynamic' }),
      );
    }
    return server;
  }

  override async dispose(): Promise<void> {
    const clients = this.clients.splice(0);
    // QUIT waits for the connection; a client that never connected (Redis away) would wait for ever: drop it.
    await Promise.all(
      clients.map((client) =>
        client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect(),
      ),
    );
  }
}

/**
 * The sharded adapter sends SSUBSCRIBE and SUNSUBSCRIBE (one per room it gains or loses) without waiting for their
 * answers: while Redis is unreachable each would reject with nobody listening (an unhandled rejection, which ends a
 * Node process). Each such promise gets a handler here. Its SPUBLISH and PUBSUB are awaited by the adapter, whose
 * callers see the outcome (a relay is still delivered locally; fetchSockets times out: 503 upstream).
 */
function quietly(client: Redis): Redis {
  const methods = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['ssubscribe', 'sunsubscribe']) {
    const original = methods[name].bind(client);
    methods[name] = (...args: unknown[]) => {
      const sent = original(...args);
      sent.catch(() => undefined);
      return sent;
    };
  }
  return client;
}
