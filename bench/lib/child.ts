/**
 * The children's side of the protocol with bench/run.ts: one JSON object per stdout line. Kept apart from
 * processes.ts so a child loads nothing of the parent's machinery (the TypeScript compiler among it).
 */
export interface ChildMessage {
  event: 'ready' | 'result';
  [key: string]: unknown;
}

export function send(message: ChildMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}
