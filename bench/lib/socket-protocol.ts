/**
 * What bench/run.ts (the parent, lib/proctoring.ts) and the Socket.IO load client (bench/socket-load.ts, a forked
 * child) say to each other over the IPC channel. Types only, so the child loads nothing of the parent's machinery.
 */
export interface LoadPair {
  inviteId: string;
  /** The candidate's handshake: `{ invite_token }`. */
  inviteToken: string;
  /** The staff socket's handshake: `{ token }` (an access JWT). */
  staffToken: string;
}

export interface LoadPlan {
  /** Where candidates connect (instance A) and where staff connect (instance B; the same URL on one instance). */
  candidateUrl: string;
  staffUrl: string;
  pairs: LoadPair[];
  /** Handshakes in flight at once while connecting. */
  connectConcurrency: number;
  /** Every peer sends one `signal` per `intervalMs` to its partner. */
  intervalMs: number;
  /** Signals of the first `warmupSeconds` count for losses but not for latency. */
  warmupSeconds: number;
  seconds: number;
}

export type ParentMessage = { type: 'plan'; plan: LoadPlan } | { type: 'go' } | { type: 'close' };

export interface ConnectReport {
  type: 'connected';
  sockets: number;
  /** Wall time to connect every socket and to watch every candidate (ms). */
  connectMs: number;
  watchMs: number;
  /** Handshakes refused or failed, and session:watch acks that were not ok, with a sample. */
  failures: number;
  failureSamples: string[];
}

export interface RunReport {
  type: 'result';
  /** Relay latencies (ms: emit on one peer → `signal` on its partner) after the warm-up. */
  latencies: number[];
  sent: number;
  acked: number;
  /** Acks that were not `{ok: true}` or never came (5 s), with a sample. */
  ackFailures: number;
  ackFailureSamples: string[];
  /** Acknowledged signals the partner never received (after a drain of up to 5 s). */
  lost: number;
  /** Signals received twice, from a peer that is not the partner, or not sent by this client. */
  unexpected: number;
  /** Sockets that disconnected during the run. */
  disconnects: number;
  seconds: number;
  /** The client's own load: CPU (ms, all threads) over the run's wall time, and its event loop's delay p99 (ms). */
  clientCpuPercent: number;
  clientLoopDelayP99Ms: number;
}

export type ChildReport = ConnectReport | RunReport | { type: 'error'; message: string } | { type: 'closed' };
