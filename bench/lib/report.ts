import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One row of the table: a subject against its baseline (a ratio), or a latency against a bound. */
export interface Comparison {
  id: string;
  title: string;
  baselineName: string;
  subjectName: string;
  /**
   * Rates: req/s or MiB/s (uploads). Bounds: ms (a p99 or p95), MiB (a memory rise), × (a ratio of two latencies) or
   * a count (lost answers).
   */
  unit: 'req/s' | 'MiB/s' | 'ms' | 'MiB' | 'x' | 'count';
  /** For bounds: what the figure is (default p99), shown in the target column. */
  boundLabel?: string;
  baseline: number | null;
  subject: number;
  /** subject / baseline for rates; null for a latency bound. */
  ratio: number | null;
  /**
   * baseline CPU / subject CPU per request (server + PostgreSQL): what the ratio tends to when the machine is
   * CPU-bound, and steady when other jobs share the machine. Null when not measured.
   */
  cpuRatio: number | null;
  /** `min`: ratio ≥ target; `max`: subject ≤ target; null: informative only. */
  target: { kind: 'min' | 'max'; value: number } | null;
  pass: boolean | null;
}

export interface Side {
  rps: number;
  cpuMsPerRequest: { server: number | null; postgres: number | null };
}

const totalCpu = (side: Side) =>
  side.cpuMsPerRequest.server === null ? null : side.cpuMsPerRequest.server + (side.cpuMsPerRequest.postgres ?? 0);

export function rateComparison(
  fields: Omit<Comparison, 'unit' | 'ratio' | 'cpuRatio' | 'pass' | 'baseline' | 'subject'> & {
    baseline: Side;
    subject: Side;
    unit?: 'req/s' | 'MiB/s';
  },
): Comparison {
  const ratio = fields.subject.rps / fields.baseline.rps;
  const pass = fields.target ? ratio >= fields.target.value : null;
  const [baseCpu, subjectCpu] = [totalCpu(fields.baseline), totalCpu(fields.subject)];
  return {
    ...fields,
    baseline: fields.baseline.rps,
    subject: fields.subject.rps,
    unit: fields.unit ?? 'req/s',
    ratio,
    cpuRatio: baseCpu !== null && subjectCpu ? baseCpu / subjectCpu : null,
    pass,
  };
}

/** A figure against an upper bound (or, with a null target, shown for information next to the baseline's). */
export function boundComparison(
  fields: Omit<Comparison, 'unit' | 'ratio' | 'cpuRatio' | 'pass'> & {
    target: { kind: 'max'; value: number } | null;
    unit?: 'ms' | 'MiB' | 'x' | 'count';
  },
): Comparison {
  const pass = fields.target ? fields.subject <= fields.target.value : null;
  return { ...fields, unit: fields.unit ?? 'ms', ratio: null, cpuRatio: null, pass };
}

const fmt = (value: number | null, unit: Comparison['unit']) => {
  if (value === null) return '—';
  if (unit === 'ms' || unit === 'MiB') return `${value.toFixed(1)} ${unit}`;
  if (unit === 'x') return `${value.toFixed(2)}×`;
  if (unit === 'count') return String(value);
  return unit === 'MiB/s' ? `${value.toFixed(1)} MiB/s` : value.toFixed(1);
};

function targetText(row: Comparison): string {
  if (!row.target) return 'info';
  if (row.target.kind === 'min') return `ratio ≥ ${row.target.value}`;
  if (row.unit === 'MiB') return `rise ≤ ${row.target.value} MiB`;
  if (row.unit === 'x') return `${row.boundLabel ?? 'ratio'} ≤ ${row.target.value}×`;
  if (row.unit === 'count') return `${row.boundLabel ?? 'count'} ≤ ${row.target.value}`;
  return `${row.boundLabel ?? 'p99'} ≤ ${row.target.value} ms`;
}

export function printTable(rows: Comparison[]): void {
  const header = ['', 'measurement', 'baseline', 'baseline', 'subject', 'ratio', 'target', 'result', 'CPU ratio'];
  const body = rows.map((row) => [
    row.id,
    row.title,
    row.baselineName,
    fmt(row.baseline, row.unit),
    fmt(row.subject, row.unit),
    row.ratio === null ? '—' : row.ratio.toFixed(3),
    targetText(row),
    row.pass === null ? '' : row.pass ? 'PASS' : 'FAIL',
    row.cpuRatio === null ? '' : row.cpuRatio.toFixed(3),
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((cells) => cells[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  for (const cells of body) process.stdout.write(`${line(cells)}\n`);
  process.stdout.write('\n');
}

/**
 * CPU per request: unlike req/s it hardly moves when something else on the machine takes CPU, so it shows where
 * the time goes even on a busy host. Server = the process under test, every thread (thread pool included);
 * PostgreSQL = every process of the embedded cluster (not measured for an external DATABASE_URL).
 */
export function printCpuTable(
  raw: Record<string, { cpuMsPerRequest: { server: number | null; postgres: number | null }; rps: number }>,
  rows: [string, string][],
): void {
  const measured = rows.filter(([key]) => raw[key]?.cpuMsPerRequest.server != null);
  if (measured.length === 0) return;
  const ms = (value: number | null) => (value === null ? '—' : value.toFixed(3)).padStart(10);
  const width = Math.max(30, ...measured.map(([, label]) => label.length));
  process.stdout.write(`${'CPU per request (ms)'.padEnd(width)}      server  PostgreSQL\n`);
  for (const [key, label] of measured) {
    const { server, postgres } = raw[key].cpuMsPerRequest;
    process.stdout.write(`${label.padEnd(width)}  ${ms(server)}  ${ms(postgres)}\n`);
  }
  process.stdout.write('\n');
}

export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
