import { createHash } from 'node:crypto';
import { hashToken, newRefreshToken, openToken, sealToken } from './token-crypto';

const SECRET = 'unit-test-secret-key-0123456789abcdef';

describe('token-crypto', () => {
  describe('newRefreshToken', () => {
    it('makes 256-bit base64url tokens that do not repeat', () => {
      const tokens = new Set(Array.from({ length: 200 }, () => newRefreshToken()));
      expect(tokens.size).toBe(200);
      for (const token of tokens) {
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      }
    });
  });

  describe('hashToken', () => {
    it('is the SHA-256 as 64 lower-case hex characters, deterministic', () => {
      const token = newRefreshToken();
      expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
      expect(hashToken(token)).toBe(hashToken(token));
      expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
      expect(hashToken(token)).not.toBe(hashToken(newRefreshToken()));
    });
  });

  describe('sealToken / openToken', () => {
    it('round-trips, with a fresh IV each time', () => {
      const token = newRefreshToken();
      const a = sealToken(token, SECRET);
      const b = sealToken(token, SECRET);
      expect(a).not.toBe(b);
      expect(a).not.toContain(token);
      expect(openToken(a, SECRET)).toBe(token);
      expect(openToken(b, SECRET)).toBe(token);
    });

    it('returns null for the wrong secret', () => {
      const sealed = sealToken(newRefreshToken(), SECRET);
      expect(openToken(sealed, `${SECRET}x`)).toBeNull();
    });

    it('returns null when any part is tampered with', () => {
      const token = newRefreshToken();
      const sealed = sealToken(token, SECRET);
      const parts = sealed.split('.');
      expect(parts).toHaveLength(3);
      for (let i = 0; i < 3; i++) {
        const bytes = Buffer.from(parts[i], 'base64url');
        bytes[0] ^= 0x01;
        const tampered = parts.map((part, j) => (j === i ? bytes.toString('base64url') : part)).join('.');
        expect(openToken(tampered, SECRET)).toBeNull();
      }
    });

    it('returns null for malformed input instead of throwing', () => {
      for (const sealed of [
        '',
        'abc',
        'a.b',
        'a.b.c',
        '...',
        sealToken('x', SECRET).split('.').slice(0, 2).join('.'),
      ]) {
        expect(openToken(sealed, SECRET)).toBeNull();
      }
    });
  });
});
