import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import helmet, { HelmetOptions } from 'helmet';

/**
 * JSON responses get the OWASP REST set: nothing may be loaded or framed from them, no sniffing, HTTPS only, no
 * referrer, not cached (they are per-user). Short on purpose: these headers go out with every response.
 */
export const API_SECURITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cache-Control', 'no-store'],
];

/** HTML pages (Swagger UI at /docs) get helmet's full set; Swagger UI needs inline scripts and styles. */
export const PAGE_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'", 'https:'] },
  },
};

/**
 * The app's own pages (`/proctor`, `/take/{token}` and their files under `/web/`): helmet's full set with a strict
 * policy. No inline script or style (every script is a file of this origin), sockets and fetches to this origin only
 * (`'self'` covers ws:/wss: of the same host), the camera preview and remote stream as `blob:`/MediaStream. The
 * candidate page's URL holds the invitation token: `no-referrer` keeps it out of every Referer.
 */
export const WEB_PAGE_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'media-src': ["'self'", 'blob:', 'mediastream:'],
      'connect-src': ["'self'"],
      'font-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
};

/** Path prefixes of the app's own pages (see WEB_PAGE_HELMET_OPTIONS). */
export const WEB_PAGE_PREFIXES: readonly string[] = ['/proctor', '/take', '/web'];

/** Runs helmet once against a recording response and returns the headers it sets (they do not vary per request). */
export function helmetHeaders(options: HelmetOptions = PAGE_HELMET_OPTIONS): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  } as unknown as ServerResponse;
  let done = false;
  helmet(options)({ headers: {} } as IncomingMessage, recorder, () => (done = true));
  if (!done) throw new Error('helmet did not complete synchronously');
  return headers;
}

/**
 * Security headers computed once at start-up and set per request without running helmet's dozen middlewares
 * (measurable on cheap routes such as /health: bench a). `pagePrefixes` are the paths that serve HTML.
 */
export function securityHeadersMiddleware(
  pagePrefixes: readonly string[] = ['/docs'],
  webPagePrefixes: readonly string[] = WEB_PAGE_PREFIXES,
) {
  const pageHeaders = helmetHeaders();
  // the app's pages are still no-store: the candidate page's URL is a credential, and the files are small
  const webPageHeaders: [string, string][] = [...helmetHeaders(WEB_PAGE_HELMET_OPTIONS), ['Cache-Control', 'no-store']];
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path;
    const headers = webPagePrefixes.some((prefix) => under(path, prefix))
      ? webPageHeaders
      : pagePrefixes.some((prefix) => under(path, prefix))
        ? pageHeaders
        : API_SECURITY_HEADERS;
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
