import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One row of the table: a subject against its baseline (a ratio), or a latency against a bound. */
export interface Comparison {
  id: string;
  title: string;
  baselineName: string;
  subjectName: string;
  unit: 'req/s' | 'ms';
  baseline: number | null;
  subject: number;
  /** subject / baseline for rates; null for a latency bound. */
  ratio: number | null;
  /** `min`: ratio ≥ target; `max`: subject ≤ target; null: informative only. */
  target: { kind: 'min' | 'max'; value: number } | null;
  pass: boolean | null;
}

export function rateComparison(
  fields: Omit<Comparison, 'unit' | 'ratio' | 'pass' | 'baseline'> & { baseline: number },
): Comparison {
  const ratio = fields.subject / fields.baseline;
  const pass = fields.target ? ratio >= fields.target.value : null;
  return { ...fields, unit: 'req/s', ratio, pass };
}

export function boundComparison(
  fields: Omit<Comparison, 'unit' | 'ratio' | 'pass'> & { target: { kind: 'max'; value: number } },
): Comparison {
  return { ...fields, unit: 'ms', ratio: null, pass: fields.subject <= fields.target.value };
}

const fmt = (value: number | null, unit: Comparison['unit']) =>
  value === null ? '—' : unit === 'ms' ? `${value.toFixed(1)} ms` : value.toFixed(1);

function targetText(row: Comparison): string {
  if (!row.target) return 'info';
  return row.target.kind === 'min' ? `ratio ≥ ${row.target.value}` : `p99 ≤ ${row.target.value} ms`;
}

export function printTable(rows: Comparison[]): void {
  const header = ['', 'measurement', 'baseline', 'baseline', 'subject', 'ratio', 'target', 'result'];
  const body = rows.map((row) => [
    row.id,
    row.title,
    row.baselineName,
    fmt(row.baseline, row.unit),
    fmt(row.subject, row.unit),
    row.ratio === null ? '—' : row.ratio.toFixed(3),
    targetText(row),
    row.pass === null ? '' : row.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((cells) => cells[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  for (const cells of body) process.stdout.write(`${line(cells)}\n`);
  process.stdout.write('\n');
}

export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
