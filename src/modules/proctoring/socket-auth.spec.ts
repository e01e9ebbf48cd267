import type { Socket } from 'socket.io';
import { clientIp, newPeerId } from './socket-auth';

const socket = (address: string, forwarded?: string) =>
  ({ handshake: { address, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} } }) as unknown as Socket;

describe('socket handshake helpers', () => {
  it('reads the client IP as TRUST_PROXY says', () => {
    expect(clientIp(socket('10.0.0.9', '1.2.3.4'), false)).toBe('10.0.0.9');
    expect(clientIp(socket('10.0.0.9', '1.2.3.4, 5.6.7.8'), 1)).toBe('5.6.7.8');
    expect(clientIp(socket('10.0.0.9', '1.2.3.4, 5.6.7.8'), 2)).toBe('1.2.3.4');
    expect(clientIp(socket('10.0.0.9', '1.2.3.4'), 5)).toBe('1.2.3.4');
    expect(clientIp(socket('10.0.0.9'), 1)).toBe('10.0.0.9');
    expect(clientIp(socket('127.0.0.1', '1.2.3.4'), ['loopback'])).toBe('1.2.3.4');
    expect(clientIp(socket('10.0.0.9', '1.2.3.4'), ['10.0.0.9'])).toBe('1.2.3.4');
    expect(clientIp(socket('10.0.0.8', '1.2.3.4'), ['10.0.0.9', 'loopback'])).toBe('10.0.0.8');
  });

  it('makes random peer ids of the documented shape', () => {
    const ids = new Set(Array.from({ length: 100 }, newPeerId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^p_[A-Za-z0-9_-]{24}$/);
  });
});
