import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Server, Socket } from 'socket.io';
import { send, watchMemoryOnSignal } from '../lib/child';

/**
 * Baseline for (i) and (j): a bare Socket.IO server with the app's namespace (`/proctoring`), path, buffer limit and
 * relay (docs/proctoring.md), and nothing else — no handshake authentication, no validation, no rate limit, no
 * database. Each socket gets a random peer id and joins its own room `peer:{id}`; `signal {to, …}` is relayed to
 * that room as `signal {from, type, sdp, candidate}` and acknowledged `{ok: true}`; `session:watch` is acknowledged
 * (the load client sends it to both sides, the app needs it before it relays). With REDIS_URL (j) the namespace
 * uses @socket.io/redis-adapter's sharded adapter (dynamic channels, as the app) under the channel prefix
 * BENCH_REDIS_KEY, so relays cross instances as the app's do.
 */
interface SignalPayload {
  to?: unknown;
  type?: unknown;
  sdp?: unknown;
  candidate?: unknown;
}

type Ack = (answer: unknown) => void;

async function main(): Promise<void> {
  const http = createServer();
  const io = new Server(http, { path: '/socket.io', maxHttpBufferSize: 64 * 1024, serveClient: false });
  const redisUrl = process.env.REDIS_URL;
  const clients: Redis[] = [];
  if (redisUrl) {
    const pub = new Redis(redisUrl, { lazyConnect: true });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    clients.push(pub, sub);
    io.adapter(
      createShardedAdapter(pub, sub, {
        channelPrefix: process.env.BENCH_REDIS_KEY ?? 'socket.io',
        subscriptionMode: 'dynamic',
      }),
    );
  }
  const namespace = io.of('/proctoring');
  namespace.on('connection', (socket: Socket) => {
    const peerId = `p_${randomBytes(12).toString('base64url')}`;
    const auth = socket.handshake.auth as Record<string, unknown>;
    void socket.join(`peer:${peerId}`);
    socket.emit('ready', { peer_id: peerId, role: typeof auth.invite_token === 'string' ? 'candidate' : 'proctor' });
    socket.on('session:watch', (_payload: unknown, ack?: Ack) => {
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('signal', (payload: SignalPayload, ack?: Ack) => {
      socket.to(`peer:${String(payload.to)}`).emit('signal', {
        from: peerId,
        type: payload.type,
        sdp: payload.sdp,
        candidate: payload.candidate,
      });
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
  watchMemoryOnSignal();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  send({ event: 'ready', port: typeof address === 'object' && address ? address.port : 0 });

  process.on('SIGTERM', () => {
    io.close(() => {
      for (const client of clients) client.disconnect();
      process.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare Socket.IO baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
