import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants, createWriteStream, unlinkSync, WriteStream } from 'node:fs';
import { copyFile, FileHandle, link, lstat, mkdir, open, opendir, realpath, rmdir, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ByteLimit } from './byte-limit';
import { ByteRange, PutOptions, PutResult, StorageDriver, StoredObjectInfo } from './storage-driver';
import { assertSafeStorageKey } from './storage-key';
import { InvalidStorageKeyError, StorageErrors } from './storage.errors';

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** `<final name>.partial-<12 hex>`: what put() writes before publishing. */
const PARTIAL_FILE = /\.partial-[0-9a-f]{12}$/;

/** Waits until a write stream has released its descriptor (at once if it never opened one or already closed it). */
function released(stream: WriteStream): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((done) => stream.once('close', () => done()));
}

/**
 * Files under STORAGE_PATH. A write goes to `<final>.partial-<random>` (exclusive create) and is published with
 * link(2), which fails rather than replace an existing file; the partial is always unlinked, so an abandoned or
 * oversize upload leaves nothing behind (a process killed mid-write can leave a `.partial-*` file, never a
 * truncated final file: sweepStale() removes those at the next boot, README.md "Interrupted uploads"). Folders created
 * for a failed write are removed again.
 */
export class LocalStorageDriver implements StorageDriver {
  readonly name = 'local' as const;
  private readonly root: string;
  private realRoot: Promise<string> | null = null;
  /** Partial files this process is writing right now. */
  private readonly inFlight = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The absolute path of a key, or InvalidStorageKeyError when it is unsafe or would leave the root. */
  resolvePath(key: string): string {
    assertSafeStorageKey(key);
    const full = resolve(this.root, key);
    const rel = relative(this.root, full);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || !full.startsWith(this.root + sep)) {
      throw new InvalidStorageKeyError('outside the storage root');
    }
    return full;
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    const target = this.resolvePath(key);
    const partial = `${target}.partial-${randomBytes(6).toString('hex')}`;
    let createdDir: string | undefined;
    let file: WriteStream;
    try {
      ({ file, createdDir } = await this.createPartial(partial));
    } catch (error) {
      body.destroy();
      throw error;
    }
    this.inFlight.add(partial);
    const limit = new ByteLimit(options.maxBytes);
    let published = false;
    try {
      // The write stream is the descriptor's only owner: it closes it once, when it finishes or is destroyed
      // (autoClose). Nothing else may close it — a second close would hit a number the kernel has meanwhile
      // handed to another upload's file or to a socket.
      await pipeline(body, limit, file);
      await released(file);
      await this.publish(partial, target);
      published = true;
      return { size: limit.bytes };
    } finally {
      file.destroy();
      await released(file);
      await unlink(partial).catch(() => undefined);
      this.inFlight.delete(partial);
      if (!published && createdDir) await this.pruneEmptyFolders(dirname(target), createdDir);
    }
  }

  async stat(key: string): Promise<StoredObjectInfo | null> {
    const path = this.resolvePath(key);
    await this.assertInsideRealRoot(dirname(path));
    try {
      const info = await lstat(path); // a planted symlink is not one of our files
      return info.isFile() ? { size: info.size, lastModified: info.mtime, contentType: null } : null;
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
      throw error;
    }
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.resolvePath(key);
    const info = await this.stat(key);
    if (!info) throw StorageErrors.objectNotFound();
    if (range && (range.start < 0 || range.end < range.start || range.start >= info.size)) {
      throw StorageErrors.rangeNotSatisfiable(info.size);
    }
    // Opened before returning, so a failure surfaces before the caller sends headers; never through a symlink.
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      if (['ENOENT', 'ELOOP', 'ENOTDIR'].includes(errorCode(error) ?? '')) throw StorageErrors.objectNotFound();
      throw error;
    }
    return handle.createReadStream(range ? { start: range.start, end: Math.min(range.end, info.size - 1) } : {});
  }

  async delete(key: string): Promise<void> {
    const path = this.resolvePath(key);
    await this.assertInsideRealRoot(dirname(path));
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return;
      throw error;
    }
    await this.pruneEmptyFolders(dirname(path), this.root);
  }

  async downloadUrl(): Promise<null> {
    return null;
  }

  /**
   * Removes `.partial-*` files last written more than `olderThanMs` ago (and the folders that held only them),
   * returning how many. A write in progress touches its partial with every chunk, and an upload that sends nothing
   * for long is cut by the server's timeouts, so an old partial belongs to a process that died mid-write — this
   * one or another instance sharing STORAGE_PATH. Younger partials may be another instance's live uploads and stay.
   */
  async sweepStale(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    // Streamed (the tree may hold many files); only the partial files found are kept, and removed afterwards.
    const partials: string[] = [];
    try {
      for await (const entry of await opendir(this.root, { recursive: true })) {
        if (entry.isFile() && PARTIAL_FILE.test(entry.name)) partials.push(join(entry.parentPath, entry.name));
      }
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    for (const path of partials) {
      if (this.inFlight.has(path)) continue;
      try {
        if ((await lstat(path)).mtimeMs >= cutoff) continue;
        await unlink(path);
        removed += 1;
        await this.pruneEmptyFolders(dirname(path), this.root);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error; // another instance swept it first
      }
    }
    return removed;
  }

  /** On a forced exit: removes the partial files of the writes still running, synchronously, before the process ends. */
  abandonInFlight(): void {
    for (const partial of this.inFlight) {
      try {
        unlinkSync(partial);
      } catch {
        // already gone
      }
    }
    this.inFlight.clear();
  }

  /**
   * Creates the key's folder and the partial file (exclusively), opened by the write stream that will own its
   * descriptor. A concurrent clean-up may remove an empty folder between the two steps, so ENOENT is retried.
   * Returns the top-most folder created, to remove after a failed write. A symlink planted inside the root must not
   * lead outside it, so the real path is checked too.
   */
  private async createPartial(partial: string): Promise<{ file: WriteStream; createdDir: string | undefined }> {
    const folder = dirname(partial);
    let createdDir: string | undefined;
    for (let attempt = 1; ; attempt++) {
      await this.assertInsideRealRoot(folder); // before mkdir: never create folders through a planted symlink
      createdDir = (await mkdir(folder, { recursive: true, mode: 0o750 })) ?? createdDir;
      await this.assertInsideRealRoot(folder);
      const file = createWriteStream(partial, { flags: 'wx', mode: 0o640 });
      try {
        await once(file, 'ready');
        return { file, createdDir };
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
  }

  /** The real path of `folder` (or of its nearest existing ancestor) must be inside the real root. */
  private async assertInsideRealRoot(folder: string): Promise<void> {
    this.realRoot ??= mkdir(this.root, { recursive: true }).then(() => realpath(this.root));
    const root = await this.realRoot.catch((error: unknown) => {
      this.realRoot = null;
      throw error;
    });
    let existing = folder;
    for (;;) {
      try {
        const real = await realpath(existing);
        if (real !== root && !real.startsWith(root + sep))
          throw new InvalidStorageKeyError('resolves outside the storage root');
        return;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || existing === dirname(existing)) throw error;
        existing = dirname(existing);
      }
    }
  }

  /** link(2) never replaces an existing file (EEXIST); where hard links are unsupported, an exclusive copy. */
  private async publish(partial: string, target: string): Promise<void> {
    try {
      await link(partial, target);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') throw StorageErrors.keyExists();
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'].includes(errorCode(error) ?? '')) throw error;
      try {
        await copyFile(partial, target, constants.COPYFILE_EXCL);
      } catch (copyError) {
        if (errorCode(copyError) === 'EEXIST') throw StorageErrors.keyExists();
        throw copyError;
      }
    }
  }

  /** Removes empty folders from `folder` up to (and including) `top`, never the root; stops at the first non-empty one. */
  private async pruneEmptyFolders(folder: string, top: string): Promise<void> {
    let current = folder;
    while (current !== this.root && current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (another upload lives there) or already gone
      }
      if (current === top) return;
      current = dirname(current);
    }
  }
}
