/** Longest error text kept in logs, job rows and outbox rows. */
export const MAX_ERROR_LENGTH = 500;

/**
 * An error's message fit for logs and database rows: credentials of any URL in it (`smtp://user:secret@host`)
 * masked, `AUTH`/password fragments of SMTP dialogues dropped, line breaks folded, and the length capped. Stacks and
 * nested causes are left out on purpose: they may carry the configuration objects that held the secret.
 */
export function safeErrorMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  const masked = raw
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\b(AUTH\s+(?:PLAIN|LOGIN|CRAM-MD5|XOAUTH2))\s+\S+/gi, '$1 ***')
    .replace(/(pass(?:word)?\s*[=:]\s*)\S+/gi, '$1***')
    .replace(/\s+/g, ' ')
    .trim();
  return masked.length > MAX_ERROR_LENGTH ? `${masked.slice(0, MAX_ERROR_LENGTH - 1)}…` : masked || 'unknown error';
}

/** The error class name and code, when there is one (ECONNREFUSED, EAUTH…), for structured logs. */
export function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
