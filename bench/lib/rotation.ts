import { CpuProbe, LoadSpec, Slice, slice } from './load';
import { REWARM_SECONDS, settings } from './settings';

/** Something measured in slices: one call measures one slice and files it (and any side measurement) by name. */
export interface Target {
  describe: string;
  measure(warmupSeconds: number): Promise<Record<string, Slice>>;
}

/**
 * Round r runs the targets in order, round r+1 in reverse (A B, B A, A B…), so subject and baseline take turns and
 * a background job slowing the machine for a few seconds hits both sides alike.
 */
export async function rotate(targets: Target[], rounds: number): Promise<Record<string, Slice[]>> {
  const slices: Record<string, Slice[]> = {};
  for (const target of targets) process.stdout.write(`  · ${target.describe}\n`);
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const measured = await target.measure(round === 0 ? settings.warmupSeconds : REWARM_SECONDS);
      for (const [name, value] of Object.entries(measured)) (slices[name] ??= []).push(value);
    }
    process.stdout.write(`    round ${round + 1}/${rounds} done\n`);
  }
  return slices;
}

export function httpTarget(
  name: string,
  describe: string,
  spec: LoadSpec,
  cpu: CpuProbe,
  seconds = settings.sliceSeconds,
): Target {
  return { describe, measure: async (warmup) => ({ [name]: await slice(spec, seconds, warmup, cpu) }) };
}
