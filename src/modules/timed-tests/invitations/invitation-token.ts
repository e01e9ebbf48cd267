import { createHash, randomBytes } from 'node:crypto';

/** An invitation token: 32 random bytes, base64url (43 characters). Only its SHA-256 is stored. */
export function newInvitationToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashInvitationToken(token) };
}

export function hashInvitationToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** True for a string shaped like a token we issue; anything else is a 404 without a database lookup. */
export function isWellFormedInvitationToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
