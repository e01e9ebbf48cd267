/** Longest error text kept in logs, job rows and outbox rows. */
export const MAX_ERROR_LENGTH = 500;

/**
 * An error's message fit for logs and database rows: credentials of any URL in it (`smtp://user:secret@host`)
 * masked, `AUTH`/password fragments of SMTP dialogues dropped, line breaks folded, and the length capped. Stacks and
 * nested causes are left out on purpose: they may carry the configuration objects that held the secret.
 */
export function safeErrorMessage(error: unknown): string {
  const raw = describe(error);
  const masked = raw
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\b(AUTH\s+(?:PLAIN|LOGIN|CRAM-MD5|XOAUTH2))\s+\S+/gi, '$1 ***')
    .replace(/(pass(?:word)?\s*[=:]\s*)\S+/gi, '$1***')
    .replace(/\s+/g, ' ')
    .trim();
  return masked.length > MAX_ERROR_LENGTH ? `${masked.slice(0, MAX_ERROR_LENGTH - 1)}…` : masked || 'unknown error';
}

/** The message, with the error's code in front when it adds something (`ESOCKET: connect ECONNREFUSED …`). */
function describe(error: unknown): string {
  if (typeof error === 'string') return error;
  // Duck-typed, not `instanceof Error`: errors raised by Node's own modules may come from another realm (jest's vm).
  if (!error || typeof error !== 'object' || typeof (error as Error).message !== 'string') return 'unknown error';
  const { message: own, errors } = error as { message: string; errors?: unknown };
  // Node's connection attempts to several addresses fail with an AggregateError whose own message is empty.
  const inner = Array.isArray(errors) ? errors.map((e: unknown) => describe(e)).join('; ') : '';
  const message = [own, inner].filter(Boolean).join(': ');
  const code = errorCode(error);
  if (code && !message.includes(code)) return message ? `${code}: ${message}` : code;
  return message;
}

/** The error class name and code, when there is one (ECONNREFUSED, EAUTH…), for structured logs. */
export function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
