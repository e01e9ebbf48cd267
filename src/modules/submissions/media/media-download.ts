import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { MediaDownload } from './media.service';

const logger = new Logger('MediaDownload');

/**
 * Writes a MediaDownload. Recordings are personal data: nothing is cached on the way (`private, no-store`), and
 * a presigned redirect is not cached either, since its link expires. When the client goes away mid-download,
 * pipeline destroys the file stream (no descriptor or S3 connection is left open); a read that fails after the
 * headers were sent can only cut the connection, which the client sees as a short body.
 */
export async function sendMediaDownload(res: Response, download: MediaDownload): Promise<void> {
  res.setHeader('Cache-Control', 'private, no-store');
  if (download.kind === 'redirect') {
    res.redirect(302, download.url);
    return;
  }
  res.status(download.status);
  for (const [name, value] of Object.entries(download.headers)) res.setHeader(name, value);
  if (res.req.method === 'HEAD') {
    download.body.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(download.body, res);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.warn({ err: error, request_id: res.req.id }, 'Media download interrupted');
    }
  }
}
