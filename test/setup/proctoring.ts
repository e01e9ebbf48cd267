import type { AddressInfo } from 'node:net';
import { io, Socket } from 'socket.io-client';
import { bearer, Tokens } from './factories';
import { TestApp } from './test-app';
import { InsertedTest } from './timed-tests';

/**
 * Socket.IO clients of the proctoring gateway (docs/proctoring.md) for the e2e specs: the app listening on an
 * ephemeral port, sockets that never reconnect, and promise helpers for acks, pushes and refusals.
 */

export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export function socketTo(
  url: string,
  auth: Record<string, unknown> | undefined,
  extraHeaders: Record<string, string> = {},
): Socket {
  return io(`${url}/proctoring`, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    extraHeaders,
  });
}

export interface Ready {
  peer_id: string;
  role: string;
  ice_servers: unknown[];
  invite_id?: string;
  attempt_id?: string;
  deadline?: string;
}

/** Connects and waits for `ready`; rejects with the connect_error's message. */
export async function connectPeer(
  url: string,
  auth: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ socket: Socket; ready: Ready }> {
  const socket = socketTo(url, auth, headers);
  const ready = await new Promise<Ready>((resolve, reject) => {
    socket.once('ready', resolve);
    socket.once('connect_error', (error) => reject(new Error(`connect_error ${error.message}`)));
  });
  return { socket, ready };
}

/** The connect_error of a refused handshake (its message is the code), or 'CONNECTED' if it got in. */
export function refusal(url: string, auth: Record<string, unknown> | undefined, headers: Record<string, string> = {}) {
  const socket = socketTo(url, auth, headers);
  return new Promise<{ message: string; data: unknown }>((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve({ message: 'CONNECTED', data: null });
    });
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.disconnect();
      resolve({ message: error.message, data: error.data });
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function ack(socket: Socket, event: string, payload?: unknown): Promise<Json> {
  return socket.timeout(5000).emitWithAck(event, payload);
}

/** The next `event` pushed to the socket (rejects after `ms`). */
export function nextEvent(socket: Socket, event: string, ms = 5000): Promise<Json> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (value: unknown) => {
      clearTimeout(timer);
      resolve(value);
    };
    socket.once(event, on);
  });
}

/** Every `event` the socket receives from now on (for "never got it" assertions). */
export function collect(socket: Socket, event: string): Json[] {
  const seen: Json[] = [];
  socket.on(event, (value: unknown) => seen.push(value));
  return seen;
}

export function closed(socket: Socket, ms = 6000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An invitation of `test`, started: the candidate's token and ids. */
export async function startedInvite(
  t: TestApp,
  adminTokens: Tokens,
  test: InsertedTest,
  email: string,
): Promise<{ id: string; token: string; attemptId: string }> {
  const res = await t
    .http()
    .post('/api/invites')
    .set(bearer(adminTokens))
    .send({ test_id: test.id, applicant_email: email, applicant_name: `Cand ${email}` });
  if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
  const start = await t.http().post(`/api/start-test/${res.body.invite_token}`);
  if (start.status !== 200 && start.status !== 201) throw new Error(`start: ${start.status}`);
  const [attempt] = await t.db.query(`SELECT id FROM test_attempts WHERE invitation_id = $1`, [res.body.id]);
  return { id: res.body.id, token: res.body.invite_token, attemptId: attempt.id };
}

/** An invitation of `test`, not started. */
export async function openInvite(t: TestApp, adminTokens: Tokens, test: InsertedTest, email: string) {
  const res = await t
    .http()
    .post('/api/invites')
    .set(bearer(adminTokens))
    .send({ test_id: test.id, applicant_email: email, applicant_name: `Cand ${email}` });
  if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, token: res.body.invite_token as string };
}
