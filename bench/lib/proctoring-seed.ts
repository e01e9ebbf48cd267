import { randomBytes } from 'node:crypto';
import * as bcrypt from 'bcrypt';
import { newInvitationToken } from '../../src/modules/timed-tests/invitations/invitation-token';
import { withPgClient } from '../../src/database/pg-client';
import type { BenchUser } from './database';
import type { BenchTest } from './timed-tests';

/**
 * Rows of (i) and (j), inserted directly (never measured) in the timed-tests tenant: `count` invitations whose
 * attempts are in progress (started a minute ago, deadline two hours on, each with its `started` event), as
 * `POST /api/start-test/{token}` leaves them, and `proctors` users with role `proctor` (password logins at the
 * benchmark's bcrypt cost; the bench logs them in right before it connects, so their access JWTs are fresh).
 */
export interface LiveInvitation {
  id: string;
  token: string;
}

export interface ProctoringSeed {
  invitations: LiveInvitation[];
  proctors: BenchUser[];
}

export async function seedProctoring(
  url: string,
  tenantId: string,
  test: BenchTest,
  count: number,
  proctors: number,
  cost: number,
): Promise<ProctoringSeed> {
  const suffix = randomBytes(4).toString('hex');
  const password = 'Bench-Password-123';
  const hash = await bcrypt.hash(password, cost);
  const tokens = Array.from({ length: count }, () => newInvitationToken());
  return withPgClient(url, async (client) => {
    await client.query('BEGIN');
    const users: BenchUser[] = [];
    for (let i = 0; i < proctors; i += 1) {
      const email = `bench-proctor-${suffix}-${i}@example.test`;
      await client.query(
        `INSERT INTO users (email, password_hash, full_name, role, tenant_id) VALUES ($1, $2, $3, 'proctor', $4)`,
        [email, hash, `Bench Proctor ${i + 1}`, tenantId],
      );
      users.push({ email, password, hash });
    }
    const { rows } = await client.query(
      `INSERT INTO invitations (tenant_id, test_id, applicant_email, applicant_name, token_hash, expires_at,
                                no_schedule, status, started_at)
       SELECT $1, $2, 'bench-live-' || $3 || '-' || n || '@example.test', 'Live Candidate ' || n, h,
              now() + interval '30 days', true, 'in_progress', now() - interval '1 minute'
         FROM unnest($4::bytea[]) WITH ORDINALITY AS t(h, n)
        ORDER BY n
       RETURNING id, token_hash, applicant_email`,
      [tenantId, test.testId, suffix, tokens.map((t) => t.hash)],
    );
    const invitations = rows as { id: string; token_hash: Buffer; applicant_email: string }[];
    const { rows: attempts } = await client.query(
      `INSERT INTO test_attempts (tenant_id, invitation_id, test_id, test_version_id, applicant_email, status,
                                  started_at, deadline)
       SELECT $1, i, $2, $3, e, 'in_progress', now() - interval '1 minute', now() + interval '2 hours'
         FROM unnest($4::uuid[], $5::text[]) AS t(i, e)
       RETURNING id, invitation_id`,
      [tenantId, test.testId, test.versionId, invitations.map((r) => r.id), invitations.map((r) => r.applicant_email)],
    );
    await client.query(
      `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type)
       SELECT $1, a, i, 'started' FROM unnest($2::uuid[], $3::uuid[]) AS t(a, i)`,
      [
        tenantId,
        (attempts as { id: string }[]).map((r) => r.id),
        (attempts as { invitation_id: string }[]).map((r) => r.invitation_id),
      ],
    );
    await client.query('COMMIT');
    const byHash = new Map(invitations.map((r) => [r.token_hash.toString('hex'), r.id]));
    return {
      invitations: tokens.map((t) => ({ id: byHash.get(t.hash.toString('hex'))!, token: t.token })),
      proctors: users,
    };
  });
}
