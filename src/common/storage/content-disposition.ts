const MAX_DISPLAY_NAME = 200;
// C0/C1 controls, DEL, and the bidi overrides/isolates that can make "evil.exe\u202Ewebm" display as "evil.mbew".
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A client file name reduced to something safe to store and to show: the last path segment only, without
 * control or bidi characters or leading dots, at most 200 characters (keeping a short extension); `fallback`
 * when nothing is left. It is a
 * display name only and is never used to build a path or key.
 */
export function safeDisplayFileName(clientName: string | null | undefined, fallback: string): string {
  const base = (clientName ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE_CHARS, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  const chars = Array.from(cleaned);
  if (chars.length <= MAX_DISPLAY_NAME) return cleaned.length > 0 ? cleaned : fallback;
  // Too long: shorten the stem and keep a short extension.
  const extension = /\.[A-Za-z0-9]{1,16}$/.exec(cleaned)?.[0] ?? '';
  return (
    chars
      .slice(0, MAX_DISPLAY_NAME - extension.length)
      .join('')
      .trim() + extension
  );
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 8187): old clients read the
 * ASCII fallback, current ones the exact UTF-8 name; quotes, backslashes and non-ASCII never reach the quoted form.
 */
export function contentDisposition(fileName: string): string {
  const name = safeDisplayFileName(fileName, 'download');
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
