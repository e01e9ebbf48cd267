import type { RequestContext } from '../context/request-context';

declare module 'http' {
  interface IncomingMessage {
    id?: string;
  }
}

declare global {
  namespace Express {
    interface Request {
      context?: RequestContext;
    }
  }
}

export {};
