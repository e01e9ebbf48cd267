import { createHmac } from 'node:crypto';
import { iceServersFor, turnCredential } from './ice-servers';

const NOW = new Date('2026-11-29T12:00:00.500Z');
const NOW_UNIX = Math.floor(NOW.getTime() / 1000);
const SECRET = 'turn-shared-secret';

const servers = [
  { urls: 'stun:stun.example.com:3478' },
  { urls: ['turn:turn.example.com:3478?transport=udp', 'turn:turn.example.com:3478?transport=tcp'] },
  { urls: 'turns:turn.example.com:5349', username: 'static', credential: 'static-pass' },
  { urls: ['stun:a.example.com', 'TURN:b.example.com'] },
];

describe('iceServersFor', () => {
  it('without TURN_SECRET returns the configured servers unchanged, with the TTL', () => {
    const view = iceServersFor({ iceServers: servers, turn: { secret: null, ttlSeconds: 600 } }, 'user-1', NOW);
    expect(view).toEqual({ ice_servers: servers, ttl_seconds: 600 });
    expect(view.ice_servers[0]).not.toBe(servers[0]); // copies: the config stays frozen/untouched
  });

  it('with TURN_SECRET gives every turn:/turns: entry <expiry>:<subject> and base64(HMAC-SHA1(secret, username))', () => {
    const view = iceServersFor({ iceServers: servers, turn: { secret: SECRET, ttlSeconds: 3600 } }, 'user-1', NOW);
    const username = `${NOW_UNIX + 3600}:user-1`;
    const credential = createHmac('sha1', SECRET).update(username).digest('base64');
    expect(view.ttl_seconds).toBe(3600);
    expect(view.ice_servers[0]).toEqual({ urls: 'stun:stun.example.com:3478' });
    expect(view.ice_servers[1]).toEqual({ urls: servers[1].urls, username, credential });
    // a static credential is replaced: the TURN server checks the HMAC
    expect(view.ice_servers[2]).toEqual({ urls: 'turns:turn.example.com:5349', username, credential });
    expect(view.ice_servers[3]).toEqual({ urls: servers[3].urls, username, credential });
    expect(turnCredential(SECRET, username)).toBe(credential);
  });

  it('never puts the secret in what it returns, and the subject and time change the credential', () => {
    const config = { iceServers: servers, turn: { secret: SECRET, ttlSeconds: 60 } };
    const a = iceServersFor(config, 'attempt-1', NOW);
    const b = iceServersFor(config, 'attempt-2', NOW);
    const c = iceServersFor(config, 'attempt-1', new Date(NOW.getTime() + 1000));
    expect(JSON.stringify([a, b, c])).not.toContain(SECRET);
    expect(a.ice_servers[1].credential).not.toBe(b.ice_servers[1].credential);
    expect(c.ice_servers[1].username).toBe(`${NOW_UNIX + 61}:attempt-1`);
  });

  it('leaves entries without usable urls alone', () => {
    const odd = [{ urls: 42 }, { credential: 'x' }];
    const view = iceServersFor({ iceServers: odd, turn: { secret: SECRET, ttlSeconds: 60 } }, 's', NOW);
    expect(view.ice_servers).toEqual(odd);
  });
});
