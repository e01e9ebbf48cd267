import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { send, watchMemoryOnSignal } from '../lib/child';

/**
 * Baseline for `POST /api/v1/submissions/:id/media`: bare `node:http` piping the whole request body (the very same
 * multipart bytes the app receives) into a new file under BENCH_UPLOAD_DIR, then answering 201 with the byte count.
 * No multipart parsing, no magic-byte check, no authentication, no database row: the floor an upload route can
 * reach on this machine and file system.
 */
async function main(): Promise<void> {
  const dir = process.env.BENCH_UPLOAD_DIR;
  if (!dir) throw new Error('raw-upload baseline needs BENCH_UPLOAD_DIR');

  watchMemoryOnSignal();
  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const path = join(dir, `${randomBytes(8).toString('hex')}.upload`);
    const file = createWriteStream(path, { flags: 'wx' });
    pipeline(req, file).then(
      () => {
        const body = JSON.stringify({ file_size: file.bytesWritten });
        res.writeHead(201, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      },
      () => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  send({ event: 'ready', port: typeof address === 'object' && address ? address.port : 0 });

  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`raw-upload baseline failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
