import type { EmbeddedMedia } from './submission-body.middleware';

// The submissions feature's own addition to Express's Request (src/common/http/express.d.ts holds the shared ones;
// common code does not import features).
declare global {
  namespace Express {
    interface Request {
      /** Recordings taken out of a submission body's data URIs (POST /api/v1/submissions only). */
      embeddedMedia?: EmbeddedMedia[];
    }
  }
}

export {};
