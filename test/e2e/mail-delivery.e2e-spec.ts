import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { systemContext } from '../../src/common/context/request-context';
import { DatabaseService } from '../../src/database/database.service';
import { Clock } from '../../src/common/clock/clock';
import { MailDeliveryService } from '../../src/modules/mail/mail-delivery.service';
import { InvitationEmail, MailService } from '../../src/modules/mail/mail.service';
import { createTenant } from '../setup/factories';
import { createTestApp, TestApp } from '../setup/test-app';
import { startSmtpServer, unusedPort } from '../setup/smtp-test-server';

/**
 * The e-mail outbox end to end: MailService queues a row and a `mail.deliver` job in the caller's transaction;
 * pg-boss workers deliver it to a real SMTP server on 127.0.0.1 (or into the outbox folder), with retries, exactly
 * once even with two app instances on one database.
 */

const JOBS_ON = { JOBS_ENABLED: 'true', JOBS_POLL_INTERVAL_SECONDS: '0.5', MAIL_RETRY_DELAY_SECONDS: '1' };

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function createInvitation(
  db: DataSource,
  tenantId: string,
  email = `cand-${Math.random().toString(36).slice(2)}@example.com`,
) {
  const [test] = await db.query(
    `INSERT INTO tests (tenant_id, title, duration_minutes) VALUES ($1, 'Backend basics', 30) RETURNING id`,
    [tenantId],
  );
  const [invitation] = await db.query(
    `INSERT INTO invitations (tenant_id, test_id, applicant_email, applicant_name, token_hash, expires_at)
     VALUES ($1, $2, $3, 'Ada Lovelace', sha256(gen_random_uuid()::text::bytea), now() + interval '30 days') RETURNING id`,
    [tenantId, test.id, email],
  );
  return { id: invitation.id as string, email };
}

function invitationEmail(
  tenantId: string,
  invitation: { id: string; email: string },
  overrides: Partial<InvitationEmail> = {},
): InvitationEmail {
  return {
    tenantId,
    invitationId: invitation.id,
    kind: 'invitation',
    to: invitation.email,
    applicantName: 'Ada Lovelace',
    testTitle: 'Backend basics',
    link: `https://app.example.com/test-invite/tok_${invitation.id}`,
    scheduledDate: null,
    adminScheduled: false,
    noSchedule: true,
    expiresAt: new Date('2030-01-15T12:00:00Z'),
    ...overrides,
  };
}

/** Queues the e-mail in a transaction of the app, as the invitations feature does. */
function queue(t: TestApp, email: InvitationEmail): Promise<void> {
  const db = t.app.get(DatabaseService);
  return db.asTenant(systemContext(), email.tenantId, (tx) => t.app.get(MailService).queueInvitationEmail(tx, email));
}

async function outboxRows(db: DataSource, invitationId: string) {
  return db.query(`SELECT * FROM email_outbox WHERE invitation_id = $1 ORDER BY created_at`, [invitationId]);
}

async function invitationRow(db: DataSource, id: string) {
  const [row] = await db.query(
    `SELECT email_status, email_sent, email_sent_at, email_error FROM invitations WHERE id = $1`,
    [id],
  );
  return row;
}

describe('E-mail outbox and delivery', () => {
  describe('with background jobs off (the tests default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('queues the rendered e-mail in the caller transaction and sends nothing', async () => {
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      await queue(t, invitationEmail(tenant.id, invitation, { testTitle: 'Go <fast> & "safe"' }));

      const [row] = await outboxRows(t.db, invitation.id);
      expect(row).toMatchObject({
        tenant_id: tenant.id,
        kind: 'invitation',
        to_address: invitation.email,
        subject: 'Test Invitation: Go <fast> & "safe"',
        status: 'pending',
        attempts: 0,
        sent_at: null,
      });
      expect(row.html_body).toContain('Go &lt;fast&gt; &amp; &quot;safe&quot;');
      expect(row.text_body).toContain(`https://app.example.com/test-invite/tok_${invitation.id}`);
      // no pg-boss schema at all: this instance never started it
      const [schema] = await t.db.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'pgboss'`);
      expect(schema.n).toBe(0);
    });

    it('a rolled-back transaction leaves no outbox row', async () => {
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      const db = t.app.get(DatabaseService);
      await expect(
        db.asTenant(systemContext(), tenant.id, async (tx) => {
          await t.app.get(MailService).queueInvitationEmail(tx, invitationEmail(tenant.id, invitation));
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await outboxRows(t.db, invitation.id)).toEqual([]);
    });

    it('a newer e-mail for the invitation supersedes the one still waiting', async () => {
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      await queue(t, invitationEmail(tenant.id, invitation));
      await queue(
        t,
        invitationEmail(tenant.id, invitation, { kind: 'resend', link: 'https://app.example.com/test-invite/new' }),
      );
      const rows = await outboxRows(t.db, invitation.id);
      expect(rows.map((r: { kind: string; status: string }) => [r.kind, r.status])).toEqual([
        ['invitation', 'failed'],
        ['resend', 'pending'],
      ]);
      expect(rows[0].last_error).toMatch(/superseded/);
    });
  });

  describe('over SMTP, one instance', () => {
    const auth = { user: 'mailer', pass: 's3cret-Pa55' };
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
    let t: TestApp;
    beforeAll(async () => {
      smtp = await startSmtpServer({ auth });
      t = await createTestApp({ ...JOBS_ON, SMTP_URL: smtp.url, MAIL_FROM: 'Trajectorie <no-reply@trajectorie.test>' });
    });
    afterAll(async () => {
      await t.close();
      await smtp.close();
    });

    it('delivers the invitation e-mail with the subject, recipient and link, and marks both rows sent', async () => {
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      const email = invitationEmail(tenant.id, invitation, {
        adminScheduled: true,
        noSchedule: false,
        scheduledDate: new Date('2030-01-10T14:30:00Z'),
      });
      await queue(t, email);

      const [row] = await waitFor(async () => {
        const rows = await outboxRows(t.db, invitation.id);
        return rows[0]?.status === 'sent' ? rows : undefined;
      });
      expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
      expect(row.sent_at).toBeInstanceOf(Date);

      const received = smtp.received.filter((m) => m.to.includes(invitation.email));
      expect(received).toHaveLength(1);
      expect(received[0].subject).toBe('Test Invitation: Backend basics');
      expect(received[0].from).toBe('no-reply@trajectorie.test');
      expect(received[0].messageId).toBe(`<${row.id}@trajectorie.test>`);
      expect(received[0].decoded).toContain(email.link);
      expect(received[0].decoded).toContain('Your test has been scheduled for: January 10, 2030 at 02:30 PM UTC');
      expect(received[0].decoded).toContain('This invitation expires on January 15, 2030 at 12:00 PM UTC.');

      expect(await invitationRow(t.db, invitation.id)).toMatchObject({
        email_status: 'sent',
        email_sent: true,
        email_error: null,
      });
    });

    it('a rolled-back transaction leaves neither an outbox row nor a job', async () => {
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      const jobCount = async () =>
        (await t.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'mail.deliver'`))[0].n as number;
      const before = await jobCount();
      await expect(
        t.app.get(DatabaseService).asTenant(systemContext(), tenant.id, async (tx) => {
          await t.app.get(MailService).queueInvitationEmail(tx, invitationEmail(tenant.id, invitation));
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await outboxRows(t.db, invitation.id)).toEqual([]);
      expect(await jobCount()).toBe(before);
    });
  });

  describe('SMTP down, then up', () => {
    let t: TestApp;
    let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;
    afterAll(async () => {
      await t?.close();
      await smtp?.close();
    });

    it('retries with backoff and delivers once when the server is back; no credentials in errors', async () => {
      const port = await unusedPort();
      const auth = { user: 'mailer', pass: 'hunter2-Secret' };
      t = await createTestApp({ ...JOBS_ON, SMTP_URL: `smtp://${auth.user}:${auth.pass}@127.0.0.1:${port}` });
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      await queue(t, invitationEmail(tenant.id, invitation));

      // the first attempt fails (connection refused) and is recorded; the e-mail stays pending
      const [failed] = await waitFor(async () => {
        const rows = await outboxRows(t.db, invitation.id);
        return rows[0]?.attempts >= 1 ? rows : undefined;
      });
      expect(failed.status).toBe('pending');
      expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
      expect(failed.last_error).not.toContain(auth.pass);
      const pendingInvitation = await invitationRow(t.db, invitation.id);
      expect(pendingInvitation).toMatchObject({ email_status: 'pending', email_sent: false });
      expect(pendingInvitation.email_error).toMatch(/ECONNREFUSED|connect/i);

      smtp = await startSmtpServer({ auth, port });
      const [sent] = await waitFor(async () => {
        const rows = await outboxRows(t.db, invitation.id);
        return rows[0]?.status === 'sent' ? rows : undefined;
      }, 30_000);
      expect(sent.attempts).toBeGreaterThanOrEqual(2);
      expect(sent.last_error).toBeNull();
      expect(smtp.received.filter((m) => m.to.includes(invitation.email))).toHaveLength(1);
      expect(await invitationRow(t.db, invitation.id)).toMatchObject({
        email_status: 'sent',
        email_sent: true,
        email_error: null,
      });

      // nothing pg-boss stored about the failed runs carries the password
      const jobs = await t.db.query(
        `SELECT output::text AS output FROM pgboss.job WHERE name = 'mail.deliver'
         UNION ALL SELECT output::text FROM pgboss.archive WHERE name = 'mail.deliver'`,
      );
      for (const job of jobs) expect(String(job.output)).not.toContain(auth.pass);
    });
  });

  describe('SMTP down for good', () => {
    let t: TestApp;
    afterAll(() => t?.close());

    it('marks the e-mail and the invitation failed after the last retry', async () => {
      const port = await unusedPort();
      t = await createTestApp({ ...JOBS_ON, MAIL_RETRY_LIMIT: '1', SMTP_URL: `smtp://u:pw-XYZ@127.0.0.1:${port}` });
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      await queue(t, invitationEmail(tenant.id, invitation));
      const [row] = await waitFor(async () => {
        const rows = await outboxRows(t.db, invitation.id);
        return rows[0]?.status === 'failed' ? rows : undefined;
      });
      expect(row.attempts).toBe(2);
      expect(row.last_error).not.toContain('pw-XYZ');
      const failedInvitation = await invitationRow(t.db, invitation.id);
      expect(failedInvitation).toMatchObject({ email_status: 'failed', email_sent: false, email_sent_at: null });
      expect(failedInvitation.email_error).toMatch(/ECONNREFUSED|connect/i);
    });
  });

  describe('without SMTP_URL', () => {
    let t: TestApp;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'trajectorie-outbox-'));
      t = await createTestApp({ ...JOBS_ON, MAIL_OUTBOX_DIR: join(dir, 'outbox') });
    });
    afterAll(async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('writes an RFC 822 .eml file into the outbox folder (created) and marks it sent', async () => {
      const tenant = await createTenant(t.db);
      const invitation = await createInvitation(t.db, tenant.id);
      const email = invitationEmail(tenant.id, invitation, { noSchedule: false });
      await queue(t, email);
      const [row] = await waitFor(async () => {
        const rows = await outboxRows(t.db, invitation.id);
        return rows[0]?.status === 'sent' ? rows : undefined;
      });
      const files = readdirSync(join(dir, 'outbox'));
      expect(files).toEqual([`${row.id}.eml`]);
      const eml = readFileSync(join(dir, 'outbox', files[0]), 'utf8');
      expect(eml).toMatch(/^Subject: Test Invitation: Backend basics\r$/m);
      expect(eml).toMatch(new RegExp(`^To: ${invitation.email.replace(/\./g, '\\.')}\r$`, 'm'));
      expect(eml).toMatch(/^Content-Type: multipart\/alternative/m);
      expect(eml.replace(/=\r\n/g, '')).toContain(email.link);
      expect(eml).toContain('Choose a convenient date and time');
      expect(await invitationRow(t.db, invitation.id)).toMatchObject({ email_status: 'sent', email_sent: true });
    });
  });

  describe('two app instances on one database', () => {
    let a: TestApp;
    let b: TestApp;
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
    beforeAll(async () => {
      smtp = await startSmtpServer();
      a = await createTestApp({ ...JOBS_ON, SMTP_URL: smtp.url }, { keepDatabase: false });
      b = await createTestApp({ ...JOBS_ON, SMTP_URL: smtp.url }, { databaseUrl: a.databaseUrl });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await smtp.close();
    });

    it('delivers each of N e-mails exactly once', async () => {
      const tenant = await createTenant(a.db);
      const n = 12;
      const invitations = await Promise.all(Array.from({ length: n }, () => createInvitation(a.db, tenant.id)));
      // half queued through each instance
      await Promise.all(invitations.map((inv, i) => queue(i % 2 ? a : b, invitationEmail(tenant.id, inv))));

      await waitFor(async () => {
        const [row] = await a.db.query(
          `SELECT count(*)::int AS n FROM email_outbox WHERE tenant_id = $1 AND status = 'sent'`,
          [tenant.id],
        );
        return row.n === n;
      }, 40_000);
      const mine = smtp.received.filter((m) => invitations.some((inv) => m.to.includes(inv.email)));
      expect(mine).toHaveLength(n);
      expect(new Set(mine.map((m) => m.to[0])).size).toBe(n);
      const rows = await a.db.query(`SELECT attempts FROM email_outbox WHERE tenant_id = $1`, [tenant.id]);
      expect(rows.every((r: { attempts: number }) => r.attempts === 1)).toBe(true);
    });
  });

  describe('stranded e-mails', () => {
    let off: TestApp;
    let on: TestApp;
    let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
    beforeAll(async () => {
      smtp = await startSmtpServer();
      off = await createTestApp({}, { keepDatabase: false });
      on = await createTestApp({ ...JOBS_ON, SMTP_URL: smtp.url }, { databaseUrl: off.databaseUrl });
    });
    afterAll(async () => {
      await on?.close();
      await off?.close();
      await smtp.close();
    });

    it('the sweep requeues e-mails whose job never existed, and gives up those out of attempts', async () => {
      const tenant = await createTenant(off.db);
      // queued while no instance had ever run pg-boss: the row waits, with no job
      const waiting = await createInvitation(off.db, tenant.id);
      await queue(off, invitationEmail(tenant.id, waiting));
      const exhausted = await createInvitation(off.db, tenant.id);
      await queue(off, invitationEmail(tenant.id, exhausted));
      await off.db.query(`UPDATE email_outbox SET attempts = 99 WHERE invitation_id = $1`, [exhausted.id]);

      const sweeper = on.app.get(MailDeliveryService);
      // not yet late: nothing to do
      expect(await sweeper.requeueStranded()).toBe(0);
      const realNow = Date.now();
      jest.spyOn(on.app.get(Clock), 'now').mockImplementation(() => new Date(realNow + 60 * 60 * 1000));
      expect(await sweeper.requeueStranded()).toBe(1);

      const [sent] = await waitFor(async () => {
        const rows = await outboxRows(on.db, waiting.id);
        return rows[0]?.status === 'sent' ? rows : undefined;
      });
      expect(sent.attempts).toBe(1);
      expect(smtp.received.filter((m) => m.to.includes(waiting.email))).toHaveLength(1);
      const [given] = await outboxRows(on.db, exhausted.id);
      expect(given).toMatchObject({
        status: 'failed',
        attempts: 99,
        last_error: 'delivery abandoned: no attempt left',
      });
      expect(await invitationRow(on.db, exhausted.id)).toMatchObject({ email_status: 'failed', email_sent: false });
      expect(smtp.received.filter((m) => m.to.includes(exhausted.email))).toHaveLength(0);
      // a second sweep finds nothing left (the requeued row was delivered)
      expect(await sweeper.requeueStranded()).toBe(0);
    });
  });
});
