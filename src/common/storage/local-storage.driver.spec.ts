import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../errors/app-error';
import { MEDIA_HEADS, NON_MEDIA_HEADS, mediaBytes } from '../../../test/setup/media-fixtures';
import { LocalStorageDriver } from './local-storage.driver';
import { requireMedia } from './media-type';
import { STALE_UPLOAD_MS } from './storage-driver';
import { storageKey } from './storage-key';
import { InvalidStorageKeyError } from './storage.errors';
import { streamToStorage } from './stream-to-storage';

/** Every file and folder under `root`, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.map((entry) => relative(root, join(root, entry))).sort();
}

/** A stream of `total` bytes in 64 KiB chunks, produced lazily (never in memory as a whole). */
function generated(total: number, fill = 0x61): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(64 * 1024, total - sent);
      sent += size;
      this.push(Buffer.alloc(size, fill));
    },
  });
}

/** A stream that fails after `bytes` bytes, like a client that disconnects mid-upload. */
function failingAfter(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.destroy(new Error('client went away'));
      sent += 16 * 1024;
      this.push(Buffer.alloc(16 * 1024, 1));
    },
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('LocalStorageDriver', () => {
  let base: string;
  let root: string;
  let driver: LocalStorageDriver;
  const key = (ext = '.webm', questionIndex = 0): string =>
    storageKey({ tenantId: randomUUID(), submissionId: randomUUID(), questionIndex, extension: ext });

  beforeEach(async () => {
    base = mkdtempSync(join(tmpdir(), 'trajectorie-storage-'));
    root = join(base, 'uploads');
    await mkdir(root);
    driver = new LocalStorageDriver(root);
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('puts, stats, reads, range-reads and deletes', async () => {
    const data = randomBytes(300_000);
    const k = key();
    await expect(
      driver.put(k, Readable.from([data]), { contentType: 'video/webm', maxBytes: 1_000_000 }),
    ).resolves.toEqual({
      size: data.length,
    });
    expect(await driver.stat(k)).toMatchObject({ size: data.length });
    expect(sha(await readAll(await driver.openRead(k)))).toBe(sha(data));
    expect(await readAll(await driver.openRead(k, { start: 100, end: 199 }))).toEqual(data.subarray(100, 200));
    expect(await readAll(await driver.openRead(k, { start: 299_990, end: 10_000_000 }))).toEqual(
      data.subarray(299_990),
    );
    expect(await driver.downloadUrl()).toBeNull();
    expect(await tree(root)).toContain(k);

    await driver.delete(k);
    expect(await driver.stat(k)).toBeNull();
    await expect(driver.delete(k)).resolves.toBeUndefined(); // idempotent
    expect(await tree(root)).toEqual([]); // empty folders pruned
  });

  it('accepts exactly maxBytes', async () => {
    const k = key();
    await expect(driver.put(k, generated(1000), { contentType: 'video/webm', maxBytes: 1000 })).resolves.toEqual({
      size: 1000,
    });
  });

  it('rejects an oversize stream with 413 and leaves nothing behind', async () => {
    const error = await rejection(
      driver.put(key(), generated(3 * 1024 * 1024), { contentType: 'video/webm', maxBytes: 1024 * 1024 }),
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(await tree(root)).toEqual([]);
  });

  it('keeps a neighbour in the same folder when a write fails', async () => {
    const first = key();
    const second = `${first.slice(0, first.lastIndexOf('/'))}/0123456789abcdef.webm`;
    await driver.put(first, generated(10), { contentType: 'video/webm', maxBytes: 100 });
    await expect(
      driver.put(second, generated(200), { contentType: 'video/webm', maxBytes: 100 }),
    ).rejects.toMatchObject({ status: 413 });
    expect(await tree(root)).toContain(first);
    expect((await tree(root)).filter((entry) => entry.includes('partial'))).toEqual([]);
  });

  it('removes the partial file when the source fails mid-stream', async () => {
    const error = await rejection(
      driver.put(key(), failingAfter(200_000), { contentType: 'video/webm', maxBytes: 10_000_000 }),
    );
    expect((error as Error).message).toBe('client went away');
    expect(await tree(root)).toEqual([]);
  });

  it('never overwrites an existing key', async () => {
    const k = key();
    await driver.put(k, Readable.from([Buffer.from('first')]), { contentType: 'video/webm', maxBytes: 100 });
    await expect(
      driver.put(k, Readable.from([Buffer.from('second')]), { contentType: 'video/webm', maxBytes: 100 }),
    ).rejects.toMatchObject({
      code: 'STORAGE_KEY_EXISTS',
      status: 409,
    });
    expect((await readAll(await driver.openRead(k))).toString()).toBe('first');
    expect(await tree(root)).toEqual(expect.not.arrayContaining([expect.stringContaining('.partial-')]));
  });

  it('answers 404 for a missing object and 416 for a range past the end', async () => {
    await expect(driver.openRead(key())).rejects.toMatchObject({ code: 'STORAGE_OBJECT_NOT_FOUND', status: 404 });
    const k = key();
    await driver.put(k, generated(100), { contentType: 'video/webm', maxBytes: 100 });
    await expect(driver.openRead(k, { start: 100, end: 200 })).rejects.toMatchObject({ status: 416 });
  });

  describe('hostile keys', () => {
    const hostile = [
      '../escape.webm',
      'tenants/../../escape.webm',
      '/etc/passwd',
      'a\0b',
      'tenants/.hidden',
      'a\\..\\b',
      '',
    ];

    it.each(hostile)('refuses %p everywhere without touching the disk', async (bad) => {
      await expect(driver.put(bad, generated(10), { contentType: 'video/webm', maxBytes: 100 })).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
      await expect(driver.stat(bad)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.openRead(bad)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.delete(bad)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      expect(await tree(base)).toEqual(['uploads']);
    });

    it('does not follow a symlink planted inside the root to a folder outside it', async () => {
      const outside = join(base, 'outside');
      await mkdir(outside);
      await writeFile(join(outside, 'secret.webm'), 'secret');
      await symlink(outside, join(root, 'tenants'));
      for (const bad of ['tenants/x.webm', 'tenants/deeper/folders/x.webm']) {
        await expect(
          driver.put(bad, generated(10), { contentType: 'video/webm', maxBytes: 100 }),
        ).rejects.toBeInstanceOf(InvalidStorageKeyError);
      }
      await expect(driver.openRead('tenants/secret.webm')).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.stat('tenants/secret.webm')).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.delete('tenants/secret.webm')).rejects.toBeInstanceOf(InvalidStorageKeyError);
      expect(await readdir(outside)).toEqual(['secret.webm']);
    });
  });

  describe('streamToStorage', () => {
    const target = (sniffed: { extension: string }): { key: string; contentType: string } => ({
      key: storageKey({ tenantId: 't1', submissionId: 's1', extension: sniffed.extension }),
      contentType: 'video/webm',
    });

    it('checks the first bytes, names the key by the sniffed type and stores the whole stream', async () => {
      const data = mediaBytes(MEDIA_HEADS.webm, 200_000);
      const stored = await streamToStorage(
        driver,
        Readable.from([data.subarray(0, 10), data.subarray(10, 50), data.subarray(50)]),
        {
          maxBytes: 1_000_000,
          sniff: requireMedia,
          target,
        },
      );
      expect(stored).toMatchObject({ size: data.length, sniffed: { container: 'webm' } });
      expect(stored.key).toMatch(/^tenants\/t1\/submissions\/s1\/[0-9a-f]{16}\.webm$/);
      expect(sha(await readFile(join(root, stored.key)))).toBe(sha(data));
    });

    it('stores a file shorter than the sniff window', async () => {
      const data = MEDIA_HEADS.mp4.subarray(0, 40);
      const stored = await streamToStorage(driver, Readable.from([data]), {
        maxBytes: 100,
        sniff: requireMedia,
        target,
      });
      expect(stored.key.endsWith('.mp4')).toBe(true);
      expect(await readFile(join(root, stored.key))).toEqual(data);
    });

    it.each(Object.entries({ png: NON_MEDIA_HEADS.png, html: NON_MEDIA_HEADS.html, empty: NON_MEDIA_HEADS.empty }))(
      'refuses %s content with 415 before anything is written',
      async (_name, head) => {
        const source = Readable.from([mediaBytes(head, head.length > 0 ? 100_000 : 0)]);
        await expect(
          streamToStorage(driver, source, { maxBytes: 1_000_000, sniff: requireMedia, target }),
        ).rejects.toMatchObject({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          status: 415,
        });
        expect(source.destroyed).toBe(true);
        expect(await tree(root)).toEqual([]);
      },
    );

    it('refuses an oversize upload with 413 and leaves nothing', async () => {
      const source = Readable.from([mediaBytes(MEDIA_HEADS.webm, 64 * 1024), Buffer.alloc(2 * 1024 * 1024)]);
      await expect(
        streamToStorage(driver, source, { maxBytes: 1024 * 1024, sniff: requireMedia, target }),
      ).rejects.toMatchObject({
        status: 413,
      });
      expect(await tree(root)).toEqual([]);
    });
  });

  it('streams 50 MB without holding it in memory (RSS rise ≤ 32 MB)', async () => {
    const total = 50 * 1024 * 1024;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      const { size } = await driver.put(key(), generated(total), { contentType: 'video/webm', maxBytes: total });
      expect(size).toBe(total);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect((peak - before) / (1024 * 1024)).toBeLessThanOrEqual(32);
  });
  describe('leftovers of interrupted writes', () => {
    const plant = async (relativePath: string, ageMs: number) => {
      const path = join(root, relativePath);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, 'left behind');
      const when = new Date(Date.now() - ageMs);
      await utimes(path, when, when);
    };

    it('sweepStale removes partial files older than the threshold (and their emptied folders), nothing else', async () => {
      const old = `${key()}.partial-0123456789ab`;
      const young = `${key()}.partial-ba9876543210`; // may be another instance's upload in progress
      const oldFinal = key(); // a published file, however old, is data
      const lookalike = `${key()}.partial-notours`;
      await plant(old, STALE_UPLOAD_MS + 60_000);
      await plant(young, 60_000);
      await plant(oldFinal, STALE_UPLOAD_MS * 24);
      await plant(lookalike, STALE_UPLOAD_MS * 24);

      expect(await driver.sweepStale(STALE_UPLOAD_MS)).toBe(1);
      const files = (await tree(root)).filter((entry) => /\.[a-z]+(\.partial-\w+)?$/.test(entry));
      expect(files).toEqual([young, oldFinal, lookalike].sort());
      // The old partial's folders held nothing else and are gone; its tenant folder too.
      expect(await tree(root)).not.toContain(old.split('/').slice(0, 2).join('/'));
      expect(await driver.sweepStale(STALE_UPLOAD_MS)).toBe(0);
    });

    it('sweepStale on a storage folder that does not exist yet removes nothing', async () => {
      await expect(new LocalStorageDriver(join(base, 'missing')).sweepStale(0)).resolves.toBe(0);
    });

    it('abandonInFlight removes the partial file of a write still running', async () => {
      const body = new Readable({ read() {} }); // sends one chunk, then nothing until destroyed
      body.push(mediaBytes(MEDIA_HEADS.webm, 4096));
      const writing = driver.put(key(), body, { contentType: 'video/webm', maxBytes: 1 << 20 });
      const settled = writing.catch((error: unknown) => error);
      let partials: string[] = [];
      for (let i = 0; i < 200 && partials.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        partials = (await tree(root)).filter((entry) => entry.includes('.partial-'));
      }
      expect(partials).toHaveLength(1);
      driver.abandonInFlight();
      expect((await tree(root)).filter((entry) => entry.includes('.partial-'))).toEqual([]);
      body.destroy(new Error('client went away'));
      expect(await settled).toBeInstanceOf(Error);
    });
  });
});
