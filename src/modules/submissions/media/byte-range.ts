export type RangeDecision =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/i;

/**
 * Decides how to answer a `Range` header for a representation of `size` bytes (RFC 9110 §14). One range is
 * served as 206; a header the server may ignore — another unit, several ranges, a malformed spec, or any
 * `If-Range` (no validators are sent, so it can never match) — gets the whole file with 200; a well-formed range
 * that starts at or past the end is 416.
 */
export function decideRange(header: string | undefined, size: number, ifRange?: string): RangeDecision {
  if (header === undefined || ifRange !== undefined) return { kind: 'full' };
  const match = SINGLE_RANGE.exec(header.replace(/\s+/g, ''));
  if (!match) return { kind: 'full' };
  const [, first, last] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // Suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'full' }; // invalid range-spec: ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
