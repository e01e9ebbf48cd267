import type { RequestContext } from '../context/request-context';
import type { EmbeddedMedia } from '../../modules/submissions/embedded-media/submission-body.middleware';

declare module 'http' {
  interface IncomingMessage {
    id?: string;
  }
}

declare global {
  namespace Express {
    interface Request {
      context?: RequestContext;
      /** Recordings taken out of a submission body's data URIs (POST /api/v1/submissions only). */
      embeddedMedia?: EmbeddedMedia[];
    }
  }
}

export {};
