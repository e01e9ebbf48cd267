import { createHmac } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';

/** An RTCIceServer as the browser takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
  [other: string]: unknown;
}

/** `GET /api/v1/proctoring/ice-servers`, and what the gateway's `ready` hands a socket (docs/proctoring.md). */
export interface IceServersView {
  ice_servers: IceServer[];
  /** How long the TURN credentials stay valid; a client asks again before then. */
  ttl_seconds: number;
}

const TURN_URL = /^turns?:/i;

function urlsOf(server: unknown): string[] {
  if (!server || typeof server !== 'object') return [];
  const urls = (server as { urls?: unknown }).urls;
  if (typeof urls === 'string') return [urls];
  return Array.isArray(urls) ? urls.filter((url): url is string => typeof url === 'string') : [];
}

/** coturn's `use-auth-secret` (TURN REST API): the credential is base64(HMAC-SHA1(secret, username)). */
export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * The ICE servers for one peer. Without TURN_SECRET the configured list as it is (static TURN credentials, if any,
 * are the operator's choice). With it, every entry with a `turn:`/`turns:` URL gets time-limited credentials:
 * `username = "<expiry unix seconds>:<subject>"` and `credential = base64(HMAC-SHA1(TURN_SECRET, username))`, which
 * the TURN server checks with the same secret, so no credential is stored anywhere. `subject` names the peer: the
 * user id of a signed-in caller, the attempt id of a candidate's socket. `now` comes from the caller's Clock.
 * Pure: the secret never leaves this function except as HMACs.
 */
export function iceServersFor(
  config: Pick<AppConfig, 'iceServers' | 'turn'>,
  subject: string,
  now: Date,
): IceServersView {
  const ttl = config.turn.ttlSeconds;
  const secret = config.turn.secret;
  const expiry = Math.floor(now.getTime() / 1000) + ttl;
  const servers = config.iceServers.map((server): IceServer => {
    const copy = { ...(server as IceServer) };
    if (secret && urlsOf(server).some((url) => TURN_URL.test(url))) {
      copy.username = `${expiry}:${subject}`;
      copy.credential = turnCredential(secret, copy.username);
    }
    return copy;
  });
  return { ice_servers: servers, ttl_seconds: ttl };
}
