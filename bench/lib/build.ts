import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
/** Inside the project (so node_modules resolves) and git-ignored (bench/results/). */
export const BUILD_DIR = join(ROOT, 'bench', 'results', '.build');

/**
 * Compiles the child-process entry points (and everything they import from src/) to plain JavaScript, so the
 * servers run as production does (`node dist/…`) and not under ts-node — whose `repl` import loads `node:domain`,
 * which wraps every EventEmitter in the process and would tax the subjects and baselines unevenly.
 * Type errors are not this step's business (`npm run typecheck` is); emit always happens.
 */
export function buildChildren(entries: string[]): void {
  const configPath = join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const program = ts.createProgram(
    entries.map((entry) => join(ROOT, 'bench', entry)),
    {
      ...parsed.options,
      noEmit: false,
      outDir: BUILD_DIR,
      rootDir: ROOT,
      sourceMap: false,
      declaration: false,
      incremental: false,
      noEmitOnError: false,
    },
  );
  const result = program.emit();
  if (result.emitSkipped) throw new Error('compiling the benchmark servers failed');
  // The files the app reads next to its compiled code (nest-cli.json "assets"): the pages' HTML, scripts and CSS.
  for (const assets of ['src/modules/web-pages/assets']) {
    cpSync(join(ROOT, assets), join(BUILD_DIR, assets), { recursive: true });
  }
}

/** The compiled path of `bench/<entry>.ts`. */
export function builtPath(entry: string): string {
  return join(BUILD_DIR, 'bench', entry.replace(/\.ts$/, '.js'));
}
