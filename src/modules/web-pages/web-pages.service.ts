import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One file the pages module serves: its bytes and media type. */
export interface WebAsset {
  body: Buffer;
  contentType: string;
}

/**
 * The files of `/proctor` and `/take/{token}`, read once at start-up from `assets/` (copied next to the compiled
 * module by `nest build`, nest-cli.json) and held in memory: a handful of small files, served by name from an
 * allow-list, so no request ever names a path on disk. The Socket.IO browser client comes from the installed
 * `socket.io` package, so its version always matches the server's.
 */
@Injectable()
export class WebPagesService {
  private readonly pages = new Map<string, WebAsset>();
  private readonly assets = new Map<string, WebAsset>();

  constructor() {
    const dir = join(__dirname, 'assets');
    const html = 'text/html; charset=utf-8';
    const js = 'text/javascript; charset=utf-8';
    this.pages.set('proctor', { body: readFileSync(join(dir, 'proctor.html')), contentType: html });
    this.pages.set('take', { body: readFileSync(join(dir, 'take.html')), contentType: html });
    this.assets.set('proctor.js', { body: readFileSync(join(dir, 'proctor.js')), contentType: js });
    this.assets.set('take.js', { body: readFileSync(join(dir, 'take.js')), contentType: js });
    this.assets.set('common.js', { body: readFileSync(join(dir, 'common.js')), contentType: js });
    this.assets.set('pages.css', {
      body: readFileSync(join(dir, 'pages.css')),
      contentType: 'text/css; charset=utf-8',
    });
    this.assets.set('socket.io.min.js', {
      body: readFileSync(join(dirname(require.resolve('socket.io/package.json')), 'client-dist', 'socket.io.min.js')),
      contentType: js,
    });
  }

  page(name: 'proctor' | 'take'): WebAsset {
    return this.pages.get(name)!;
  }

  /** A file by its name, or undefined for any name not on the list. */
  asset(name: string): WebAsset | undefined {
    return this.assets.get(name);
  }
}
