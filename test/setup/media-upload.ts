import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Response } from 'superagent';
import type { Test } from 'supertest';
import { MEDIA_HEADS, mediaBytes } from './media-fixtures';
import { bearer } from './factories';
import { createSubmission } from './fixtures';
import { TestApp } from './test-app';

export const MEDIA_BOUNDARY = '----trajectorie-e2e-boundary';

/** One multipart part: a text field (`value`) or a file (`data`, with a raw Content-Disposition tail if needed). */
export interface Part {
  name: string;
  value?: string;
  data?: Buffer;
  filename?: string;
  type?: string;
  /** Replaces `; filename="…"`, e.g. `; filename*=UTF-8''evil%00.webm`. */
  disposition?: string;
}

/** Built by hand (not supertest's attach) so file names, part types and field order are exactly what a test says. */
export function multipartBody(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.disposition ?? (part.filename !== undefined ? `; filename="${part.filename}"` : '');
    const type = part.type ? `\r\nContent-Type: ${part.type}` : '';
    chunks.push(
      Buffer.from(
        `--${MEDIA_BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${disposition}${type}\r\n\r\n`,
      ),
    );
    chunks.push(part.data ?? Buffer.from(part.value ?? ''));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${MEDIA_BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

export const webm = (size = 4096): Buffer => mediaBytes(MEDIA_HEADS.webm, size);

export const filePart = (data: Buffer, type = 'video/webm', filename = 'Q1_video.webm'): Part => ({
  name: 'file',
  data,
  filename,
  type,
});

/** The first seed frontend's fields (file first, as its FormData is built), overridable. */
export function frontendParts(file: Part, fields: Record<string, string | undefined> = {}): Part[] {
  const values: Record<string, string | undefined> = {
    question_index: '0',
    file_type: 'video',
    candidate_name: 'Ada Lovelace',
    scenario_id: 'scenario-1',
    is_follow_up: 'false',
    follow_up_sequence: '0',
    ...fields,
  };
  const textParts = Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ({ name, value }));
  return [file, ...textParts];
}

export function postMedia(
  t: TestApp,
  tokens: { access_token: string } | null,
  submissionId: string,
  parts: Part[],
): Test {
  const req = t.http().post(`/api/v1/submissions/${submissionId}/media`);
  if (tokens) req.set(bearer(tokens));
  return req.set('Content-Type', `multipart/form-data; boundary=${MEDIA_BOUNDARY}`).send(multipartBody(parts));
}

/** superagent buffers unknown binary types poorly; this collects the raw bytes (`.buffer(true).parse(binaryParser)`). */
export function binaryParser(res: Response, callback: (error: Error | null, body: Buffer) => void): void {
  // In Node, superagent hands the parser the raw http.IncomingMessage.
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
  stream.on('error', (error: Error) => callback(error, Buffer.concat(chunks)));
}

/** Every file (not folder) under a local storage root, relative, sorted; partial files included. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** A submission created through the API by `tokens`' user (for itself). */
export async function submitInterview(
  t: TestApp,
  tokens: { access_token: string },
): Promise<{ id: string; tenant_id: string }> {
  return createSubmission(t, tokens);
}

export const mediaRows = async (t: TestApp, submissionId: string): Promise<Record<string, unknown>[]> =>
  t.db.query(`SELECT * FROM media_files WHERE submission_id = $1 ORDER BY created_at, id`, [submissionId]);
