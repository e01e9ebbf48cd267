import { dirname } from 'node:path';
import type { Server } from 'node:http';
import type createExpress from 'express';
import { Pool } from 'pg';
import { send } from '../lib/child';

/**
 * Baseline for `GET /health`: a bare Express app answering the same JSON. `/health` also runs `SELECT 1` on a
 * pg Pool of the app's size against the same database (the fair comparison: the app's /health does that too);
 * `/health/static` answers without touching the database (the framework's cost alone).
 * It uses the Express copy that @nestjs/platform-express itself loads, so the HTTP layer is the same version.
 */
const nestExpressDir = dirname(require.resolve('@nestjs/platform-express/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path found at run time needs require()
const express = require(require.resolve('express', { paths: [nestExpressDir] })) as typeof createExpress;

const BODY = { status: 'healthy', database: 'connected', database_type: 'postgresql' };

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('plain-express baseline needs DATABASE_URL');
  const pool = new Pool({
    connectionString: url,
    max: Number(process.env.DB_POOL_SIZE ?? 10),
    connectionTimeoutMillis: 5000,
  });
  const app = express();
  app.get('/health', async (_req, res) => {
    try {
      await pool.query('SELECT 1');
      res.json(BODY);
    } catch {
      res.status(503).json({ ...BODY, status: 'unhealthy', database: 'disconnected' });
    }
  });
  app.get('/health/static', (_req, res) => {
    res.json(BODY);
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  send({ event: 'ready', port: typeof address === 'object' && address ? address.port : 0 });

  process.on('SIGTERM', () => {
    server.close(() => void pool.end().finally(() => process.exit(0)));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`plain-express baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
