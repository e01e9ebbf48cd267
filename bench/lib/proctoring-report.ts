import { pooled, ProctoringRuns } from './proctoring';
import { boundComparison, Comparison } from './report';
import { settings } from './settings';
import type { SocketRun } from './socket-run';

/**
 * The rows of (i) and (j): relay p99 against the bare baseline (i: ≤ max(2 × baseline, 10 ms)) and the cluster
 * against one instance (j: ≤ single + 5 ms), zero acknowledged signals lost, zero refused handshakes or failed
 * acks, and the RSS each server grows by per 1,000 connected sockets (information).
 */
const round1 = (value: number) => Math.round(value * 10) / 10;

/** Handshakes refused or failed, watches refused, signals not acknowledged `{ok: true}` within 5 s. */
const failures = (run: SocketRun) => run.connectFailures + run.ackFailures;

export function proctoringRows(runs: ProctoringRuns): Comparison[] {
  const pairs = settings.socketPairs;
  const app = pooled(runs.app);
  const rows: Comparison[] = [];
  if (runs.bare) {
    const bare = pooled(runs.bare);
    rows.push(
      boundComparison({
        id: 'i',
        title: `signal relay p99, ${pairs} candidate-proctor pairs (${2 * pairs} sockets, 1 signal/s each), one instance`,
        baselineName: 'bare Socket.IO p99',
        subjectName: 'app p99',
        baseline: bare.p99,
        subject: Number.isNaN(app.p99) ? Number.POSITIVE_INFINITY : app.p99,
        target: { kind: 'max', value: round1(Math.max(2 * bare.p99, 10)) },
      }),
      boundComparison({
        id: 'i*',
        title: 'server RSS growth per 1,000 connected sockets (info)',
        baselineName: 'bare Socket.IO',
        subjectName: 'app',
        baseline: bare.rss?.perThousandSocketsMib ?? null,
        subject: app.rss?.perThousandSocketsMib ?? Number.NaN,
        unit: 'MiB',
        target: null,
      }),
      boundComparison({
        id: 'i**',
        title: 'acknowledged signals never received by the partner, one instance',
        baselineName: 'bare Socket.IO',
        subjectName: 'app',
        baseline: bare.lost,
        subject: app.lost,
        unit: 'count',
        boundLabel: 'lost',
        target: { kind: 'max', value: 0 },
      }),
      boundComparison({
        id: 'i***',
        title: 'handshakes or watches refused, signals not acknowledged ok, one instance',
        baselineName: 'bare Socket.IO',
        subjectName: 'app',
        baseline: failures(bare),
        subject: failures(app),
        unit: 'count',
        boundLabel: 'failed',
        target: { kind: 'max', value: 0 },
      }),
    );
  }
  if (runs.appCluster && runs.bareCluster) {
    const cluster = pooled(runs.appCluster);
    const bareCluster = pooled(runs.bareCluster);
    rows.push(
      boundComparison({
        id: 'j',
        title: 'signal relay p99, two app instances on Redis (candidates on A, staff on B) vs one instance',
        baselineName: 'app p99, one instance',
        subjectName: 'app p99, two',
        baseline: app.p99,
        subject: Number.isNaN(cluster.p99) ? Number.POSITIVE_INFINITY : cluster.p99,
        target: { kind: 'max', value: round1(app.p99 + 5) },
      }),
      boundComparison({
        id: 'j*',
        title: 'acknowledged signals lost + handshakes/acks failed, two app instances',
        baselineName: 'bare + Redis adapter',
        subjectName: 'app',
        baseline: bareCluster.lost + failures(bareCluster),
        subject: cluster.lost + failures(cluster),
        unit: 'count',
        boundLabel: 'lost + failed',
        target: { kind: 'max', value: 0 },
      }),
      boundComparison({
        id: 'j**',
        title: 'relay p99, two bare Socket.IO instances with the Redis adapter (info)',
        baselineName: 'bare p99, one instance',
        subjectName: 'bare p99, two',
        baseline: runs.bare ? pooled(runs.bare).p99 : null,
        subject: bareCluster.p99,
        target: null,
      }),
    );
  }
  return rows;
}

/** latest.json: every run without its latency list. */
export function proctoringSummary(runs: ProctoringRuns) {
  const strip = (list?: SocketRun[]) => list?.map(({ latencies: _latencies, ...rest }) => rest);
  return {
    app: strip(runs.app),
    bare: strip(runs.bare),
    app_cluster: strip(runs.appCluster),
    bare_cluster: strip(runs.bareCluster),
    cluster_skipped: runs.clusterSkipped,
  };
}
