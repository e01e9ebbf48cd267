import { systemContext } from '../../src/common/context/request-context';
import { DatabaseService } from '../../src/database/database.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * A unit of work (`db.transaction`, `db.crossTenant`, `db.asTenant`; here crossTenant, as there is no caller) hands
 * its callback the caller's context with `manager` = the transaction, so a callee given `tx` (here
 * AuditService.record) writes inside it, with no manager parameter of its own.
 */
describe('DatabaseService units of work: the transaction rides on the context', () => {
  let t: TestApp;
  let db: DatabaseService;
  let audit: AuditService;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DatabaseService);
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  const auditRows = async (requestId: string) =>
    (await t.db.query(`SELECT action FROM audit_logs WHERE request_id = $1`, [requestId])) as { action: string }[];

  it('hands the callback the same context with the transaction as its manager', async () => {
    const ctx = systemContext('tx-shape');
    await db.crossTenant(ctx, 'test.shape', async (tx) => {
      expect(tx).not.toBe(ctx);
      expect(tx.requestId).toBe('tx-shape');
      expect(tx.manager?.queryRunner?.isTransactionActive).toBe(true);
      expect(ctx.manager).toBeUndefined();
    });
  });

  it('a callee given tx commits with the transaction, and rolls back with it', async () => {
    await db.crossTenant(systemContext('tx-commit'), 'test.commit', (tx) =>
      audit.record(tx, { action: 'test.commit', resourceType: 'test', tenantId: null }),
    );
    expect(await auditRows('tx-commit')).toEqual([{ action: 'test.commit' }]);

    await expect(
      db.crossTenant(systemContext('tx-rollback'), 'test.rollback', async (tx) => {
        await audit.record(tx, { action: 'test.rollback', resourceType: 'test', tenantId: null });
        // Inside the transaction the row is visible through tx, and not yet from outside it.
        const inside: unknown[] = await db
          .manager(tx)
          .query(`SELECT 1 FROM audit_logs WHERE request_id = 'tx-rollback'`);
        expect(inside).toHaveLength(1);
        expect(await auditRows('tx-rollback')).toEqual([]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await auditRows('tx-rollback')).toEqual([]);
  });

  it('a nested call with a transaction context joins that transaction', async () => {
    await db.crossTenant(systemContext('tx-nested'), 'test.nested', async (tx) => {
      await db.transaction(tx, async (inner) => {
        expect(inner).toBe(tx);
        expect(inner.manager).toBe(tx.manager);
      });
    });
  });
});
