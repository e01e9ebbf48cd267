import { Client } from 'pg';

const READ_TIMEOUT = 'Query read timeout';

/**
 * The pool's client class. When a query hits `query_timeout` (the server stopped answering: frozen, or the network
 * is gone), pg answers the caller but keeps the connection, with the unanswered statement still queued on the
 * server — a START TRANSACTION that runs once the server resumes would leave the pooled connection inside a
 * transaction nobody commits. So such a connection is destroyed instead: the pool drops it, the server aborts
 * whatever it was running for it, and the next request opens a fresh one.
 */
export class TimeoutSafeClient extends Client {}

const query = Client.prototype.query as (this: Client, ...args: unknown[]) => unknown;
TimeoutSafeClient.prototype.query = function timeoutSafeQuery(this: Client, ...args: unknown[]) {
  const result = query.apply(this, args);
  if (result instanceof Promise) {
    result.catch((error: unknown) => {
      if (error instanceof Error && error.message === READ_TIMEOUT) this.connection.stream.destroy();
    });
  }
  return result;
} as Client['query'];

/** Runs `work` on a short-lived connection of its own to `url` (role set-up, seeding), always closed afterwards. */
export async function withPgClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
