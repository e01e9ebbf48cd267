import { Transform } from 'class-transformer';

/** Trims and lower-cases an e-mail address (they are stored and compared lower-cased). */
export const NormaliseEmail = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Query-string booleans: "true"/"1" → true, "false"/"0" → false; anything else is left for validation to reject. */
export const QueryBoolean = () =>
  Transform(({ value }) => {
    if (value === 'true' || value === '1' || value === true) return true;
    if (value === 'false' || value === '0' || value === false) return false;
    return value;
  });

export const QueryInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));
