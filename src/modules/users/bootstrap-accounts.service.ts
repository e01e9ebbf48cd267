import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { isSuperadmin } from '../../common/auth/role-predicates';
import { systemContext } from '../../common/context/request-context';
import { AppConfigService } from '../../config/app-config.service';
import { AuditService } from '../audit/audit.service';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { UsersRepository } from './users.repository';
import { PasswordService } from '../../common/auth/password.service';
import { DatabaseService } from '../../database/database.service';
import { NewUser, UserAccountsService } from './user-accounts.service';

/**
 * Bootstrap accounts (README, "Quick start" and BOOTSTRAP_SUPERADMIN_* in "Configuration"). Development: the first start (no superadmin yet) creates the first seed's documented
 * accounts, with a loud warning. Production: only BOOTSTRAP_SUPERADMIN_EMAIL/PASSWORD, and nothing else.
 * Test: nothing (tests make their own users).
 */
@Injectable()
export class BootstrapAccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly config: AppConfigService,
    private readonly usersTable: UsersRepository,
    private readonly users: UserAccountsService,
    private readonly audit: AuditService,
    private readonly db: DatabaseService,
    private readonly passwords: PasswordService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const ctx = systemContext('bootstrap');
    const { environment, auth } = this.config.values;
    if (environment === 'test') return;
    // Bootstrap reads and writes platform-wide (no caller, no tenant yet): cross-tenant units, reason "bootstrap".
    const exists = await this.db.crossTenant(ctx, 'bootstrap', (tx) => this.usersTable.superadminExists(tx));
    if (exists) return;

    const accounts: NewUser[] = [];
    if (auth.bootstrapSuperadminEmail && auth.bootstrapSuperadminPassword) {
      accounts.push(this.account(auth.bootstrapSuperadminEmail, auth.bootstrapSuperadminPassword, 'superadmin'));
    } else if (environment === 'development') {
      accounts.push(this.account('superadmin@gmail.com', 'superadmin123', 'superadmin', 'SUPERADMIN001'));
      const taken = await this.db.crossTenant(ctx, 'bootstrap', (tx) =>
        this.usersTable.emailTaken(tx, 'admin@gmail.com'),
      );
      if (!taken) {
        accounts.push(this.account('admin@gmail.com', 'admin123', 'admin', 'ADMIN001'));
      }
      this.logger.warn(
        'DEVELOPMENT MODE: created default accounts superadmin@gmail.com / superadmin123 and admin@gmail.com / ' +
          'admin123. Never run like this in production (set ENVIRONMENT=production).',
      );
    } else {
      this.logger.warn('No superadmin exists: set BOOTSTRAP_SUPERADMIN_EMAIL and BOOTSTRAP_SUPERADMIN_PASSWORD');
      return;
    }
    for (const account of accounts) {
      const password_hash = await this.passwords.hash(account.password);
      await this.db.crossTenant(ctx, 'bootstrap', async (tx) => {
        const user = await this.users.insert(tx, { ...account, password_hash });
        await this.audit.record(tx, {
          action: 'user.bootstrap',
          resourceType: 'user',
          resourceId: user.id,
          tenantId: user.tenant_id,
          userId: null,
          newValues: { email: user.email, role: user.role },
        });
      });
    }
  }

  private account(email: string, password: string, role: NewUser['role'], candidateId?: string): NewUser {
    return {
      email,
      password,
      role,
      full_name: isSuperadmin(role) ? 'Super Admin' : 'Admin',
      candidate_id: candidateId ?? null,
      tenant_id: SYSTEM_TENANT_ID,
    };
  }
}
