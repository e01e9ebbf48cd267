import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppConfigService } from '../../../config/app-config.service';

/** Like S3's presigned links: a signed download URL lives at most 15 minutes. */
export const SIGNED_MEDIA_URL_SECONDS = 15 * 60;

export type SignatureCheck = 'valid' | 'expired' | 'invalid';

/**
 * Signs the download links of locally stored media, so a browser's `<video src>` (which cannot send a bearer token)
 * can play a recording. A link names one media file and an expiry and carries an HMAC-SHA256 over both, keyed by a
 * key derived from SECRET_KEY for this purpose only (a leaked link signs nothing else, and the JWT key is never used
 * directly). Anyone holding the link may download that one file until it expires — the same capability an S3
 * presigned link gives.
 */
@Injectable()
export class MediaUrlSigner {
  private readonly key: Buffer;
  private readonly baseUrl: string;

  constructor(config: AppConfigService) {
    this.key = Buffer.from(
      hkdfSync('sha256', config.values.auth.secretKey, '', 'trajectorie media download url v1', 32),
    );
    this.baseUrl = config.values.publicBaseUrl.replace(/\/+$/, '');
  }

  /** An absolute URL (PUBLIC_BASE_URL) for `mediaId`, valid until now + SIGNED_MEDIA_URL_SECONDS. */
  url(mediaId: string, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + SIGNED_MEDIA_URL_SECONDS;
    return `${this.baseUrl}${signedMediaPath(mediaId)}?expires=${expires}&signature=${this.sign(mediaId, expires)}`;
  }

  check(mediaId: string, expires: unknown, signature: unknown, now = Date.now()): SignatureCheck {
    if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string') return 'invalid';
    const expected = Buffer.from(this.sign(mediaId, Number(expires)));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    const remaining = Number(expires) - Math.floor(now / 1000);
    // A valid signature over a far-future expiry was not made by url() (a minute of slack for instances' clocks).
    if (remaining > SIGNED_MEDIA_URL_SECONDS + 60) return 'invalid';
    return remaining < 0 ? 'expired' : 'valid';
  }

  private sign(mediaId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${mediaId.toLowerCase()}\n${expires}`).digest('base64url');
  }
}

export function signedMediaPath(mediaId: string): string {
  return `/api/v1/media/${mediaId}/file`;
}
