import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, Socket } from 'socket.io-client';
import type { ChildReport, LoadPair, LoadPlan, ParentMessage } from './lib/socket-protocol';

/**
 * The Socket.IO load client of (i) and (j), forked by lib/proctoring.ts so it never shares an event loop with a
 * server it measures. On `plan`: connects every candidate (`{invite_token}`) to `candidateUrl`, then every staff
 * socket (`{token}`) to `staffUrl` — each socket its own Manager (forceNew) over WebSocket only, as a browser page
 * does — and each staff socket watches its pair's invitation (`session:watch`), then reports `connected`. On `go`:
 * every peer sends one `signal` (an ICE candidate carrying a sequence number and the send time) per interval to its
 * partner, the sends spread evenly over the interval, with an acknowledgement; the partner's `signal` handler takes
 * the latency. Then it drains (acks and relays still in flight, up to 5 s each), counts losses and reports `result`.
 * On `close`: disconnects everything and exits.
 */
interface Peer {
  socket: Socket;
  peerId: string;
  partner: Peer | null;
  /** Sequence numbers this peer sent that the server acknowledged `{ok: true}`. */
  acked: Set<number>;
  /** Sequence numbers received from the partner. */
  received: Set<number>;
}

const SAMPLES = 5;
const ACK_TIMEOUT_MS = 5000;
const DRAIN_MS = 5000;
const CANDIDATE = /^candidate:(\d+) 1 udp \d+ [\d.]+ \d+ typ host generation 0 ufrag t(\d+(?:\.\d+)?)$/;

const reply = (report: ChildReport) => process.send?.(report);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let peers: Peer[] = [];
let plan: LoadPlan | null = null;
const state = {
  /** Signals of rounds before this one are the warm-up: counted for losses, not timed. */
  firstTimedSeq: Number.POSITIVE_INFINITY,
  latencies: [] as number[],
  unexpected: 0,
  disconnects: 0,
  running: false,
};

function sample(list: string[], text: string): void {
  if (list.length < SAMPLES) list.push(text);
}

function connect(url: string, auth: Record<string, string>): Promise<Peer> {
  const socket = io(`${url}/proctoring`, {
    path: '/socket.io',
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 30_000,
    auth,
  });
  const peer: Peer = { socket, peerId: '', partner: null, acked: new Set(), received: new Set() };
  socket.on('signal', (message: { from?: string; candidate?: { candidate?: string } }) => {
    const at = performance.now();
    const match = CANDIDATE.exec(message.candidate?.candidate ?? '');
    const seq = match ? Number(match[1]) : -1;
    if (!match || message.from !== peer.partner?.peerId || peer.received.has(seq)) {
      state.unexpected += 1;
      return;
    }
    peer.received.add(seq);
    if (seq >= state.firstTimedSeq) state.latencies.push(at - Number(match[2]));
  });
  socket.on('disconnect', () => {
    if (state.running) state.disconnects += 1;
  });
  return new Promise((resolve, reject) => {
    socket.once('ready', (ready: { peer_id: string }) => {
      peer.peerId = ready.peer_id;
      resolve(peer);
    });
    socket.once('connect_error', (error: Error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
async function pooled<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function connectAll(p: LoadPlan): Promise<void> {
  const failureSamples: string[] = [];
  let failures = 0;
  const started = performance.now();
  const candidates: (Peer | null)[] = new Array<Peer | null>(p.pairs.length).fill(null);
  const staff: (Peer | null)[] = new Array<Peer | null>(p.pairs.length).fill(null);
  const attempt = async (list: (Peer | null)[], index: number, url: string, auth: Record<string, string>) => {
    try {
      list[index] = await connect(url, auth);
    } catch (error) {
      failures += 1;
      sample(failureSamples, `connect: ${(error as Error).message}`);
    }
  };
  // Candidates first: each staff socket of the tenant would otherwise receive every later candidate's
  // session:started, a fan-out of pairs² pushes that is not what (i) measures.
  await pooled(p.pairs, p.connectConcurrency, (pair: LoadPair, i) =>
    attempt(candidates, i, p.candidateUrl, { invite_token: pair.inviteToken }),
  );
  await pooled(p.pairs, p.connectConcurrency, (pair: LoadPair, i) =>
    attempt(staff, i, p.staffUrl, { token: pair.staffToken }),
  );
  const connectMs = performance.now() - started;
  const watchStarted = performance.now();
  await pooled(p.pairs, p.connectConcurrency, async (pair, i) => {
    const [candidate, proctor] = [candidates[i], staff[i]];
    if (!candidate || !proctor) return;
    try {
      const answer = (await proctor.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('session:watch', { invite_id: pair.inviteId })) as { ok?: boolean; error?: unknown };
      if (answer?.ok !== true) throw new Error(JSON.stringify(answer));
      candidate.partner = proctor;
      proctor.partner = candidate;
    } catch (error) {
      failures += 1;
      sample(failureSamples, `session:watch: ${(error as Error).message}`);
    }
  });
  peers = [...candidates, ...staff].filter((peer): peer is Peer => peer !== null && peer.partner !== null);
  reply({
    type: 'connected',
    sockets: peers.length,
    connectMs,
    watchMs: performance.now() - watchStarted,
    failures,
    failureSamples,
  });
}

function payload(peer: Peer, index: number, seq: number, sentAt: number) {
  return {
    to: peer.partner!.peerId,
    type: 'ice-candidate',
    candidate: {
      candidate:
        `candidate:${seq} 1 udp 2122260223 192.0.2.${(index % 250) + 1} ${40000 + (index % 20000)} typ host ` +
        `generation 0 ufrag t${sentAt.toFixed(3)}`,
      sdpMid: '0',
      sdpMLineIndex: 0,
    },
  };
}

async function run(p: LoadPlan): Promise<void> {
  const ackFailureSamples: string[] = [];
  let [sent, acked, ackFailures, pendingAcks] = [0, 0, 0, 0];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  state.running = true;
  const slot = p.intervalMs / peers.length;
  const total = Math.round(((p.warmupSeconds + p.seconds) * 1000) / slot);
  const start = performance.now() + 20;
  state.firstTimedSeq = Math.round((p.warmupSeconds * 1000) / p.intervalMs);
  const cpuBefore = process.cpuUsage();
  delay.enable();
  let message = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (message < total && start + message * slot <= now) {
        const index = message % peers.length;
        const seq = Math.floor(message / peers.length);
        const peer = peers[index];
        message += 1;
        if (!peer.socket.connected) continue;
        sent += 1;
        pendingAcks += 1;
        peer.socket
          .timeout(ACK_TIMEOUT_MS)
          .emit(
            'signal',
            payload(peer, index, seq, performance.now()),
            (error: Error | null, answer?: { ok?: boolean }) => {
              pendingAcks -= 1;
              if (!error && answer?.ok === true) {
                acked += 1;
                peer.acked.add(seq);
                return;
              }
              ackFailures += 1;
              sample(ackFailureSamples, error ? error.message : JSON.stringify(answer));
            },
          );
      }
      if (message >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  const sendingMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  delay.disable();
  const drainUntil = performance.now() + DRAIN_MS;
  while (pendingAcks > 0 && performance.now() < drainUntil) await sleep(20);
  const missing = () => peers.reduce((sum, peer) => sum + countMissing(peer), 0);
  const relayUntil = performance.now() + DRAIN_MS;
  while (missing() > 0 && performance.now() < relayUntil) await sleep(20);
  state.running = false;
  reply({
    type: 'result',
    latencies: state.latencies,
    sent,
    acked,
    ackFailures: ackFailures + pendingAcks,
    ackFailureSamples,
    lost: missing(),
    unexpected: state.unexpected,
    disconnects: state.disconnects,
    seconds: sendingMs / 1000,
    clientCpuPercent: ((cpu.user + cpu.system) / 1000 / sendingMs) * 100,
    clientLoopDelayP99Ms: delay.percentile(99) / 1e6,
  });
}

/** Acknowledged signals of `peer`'s partner that `peer` has not received. */
function countMissing(peer: Peer): number {
  let missing = 0;
  for (const seq of peer.partner!.acked) if (!peer.received.has(seq)) missing += 1;
  return missing;
}

async function close(): Promise<void> {
  for (const peer of peers) peer.socket.disconnect();
  await sleep(200);
  reply({ type: 'closed' });
  process.exit(0);
}

process.on('message', (message: ParentMessage) => {
  const step =
    message.type === 'plan'
      ? ((plan = message.plan), connectAll(message.plan))
      : message.type === 'go'
        ? run(plan!)
        : close();
  step.catch((error: unknown) => {
    reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
// The parent going away (a crash, Ctrl-C) takes the client along.
process.on('disconnect', () => process.exit(0));
