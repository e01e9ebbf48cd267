import { AuthenticatedUser } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { UpdateUserDto } from './dto/update-user.dto';
import { canSeeUser, planUserUpdate, UserState } from './user-rules';

const TENANT = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER = 'bbbbbbbb-0000-4000-8000-000000000002';

const actor = (role: AuthenticatedUser['role'], id = 'actor', tenantId = TENANT): AuthenticatedUser => ({
  id,
  role,
  tenantId,
  email: `${id}@x.test`,
  fullName: id,
  sessionId: 'session',
  profile: {
    id,
    tenant_id: tenantId,
    tenant_name: 'Tenant',
    email: `${id}@x.test`,
    full_name: id,
    candidate_id: null,
    role,
    preferred_language: 'en',
    is_active: true,
    last_login: null,
    created_at: new Date(0),
    updated_at: new Date(0),
  },
});
const user = (overrides: Partial<UserState> = {}): UserState => ({
  id: 'target',
  email: 'target@x.test',
  full_name: 'Target',
  candidate_id: null,
  role: 'candidate',
  tenant_id: TENANT,
  preferred_language: 'en',
  is_active: true,
  ...overrides,
});
const dto = (fields: Partial<UpdateUserDto>) => Object.assign(new UpdateUserDto(), fields);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : 'not an AppError';
  }
  return undefined;
}

describe('canSeeUser', () => {
  it('superadmin: everyone; admin: own tenant minus superadmins; others: themselves', () => {
    expect(canSeeUser(actor('superadmin', 's', SYSTEM_TENANT_ID), user({ tenant_id: OTHER }))).toBe(true);
    expect(canSeeUser(actor('admin'), user())).toBe(true);
    expect(canSeeUser(actor('admin'), user({ tenant_id: OTHER }))).toBe(false);
    expect(
      canSeeUser(actor('admin', 'a', SYSTEM_TENANT_ID), user({ role: 'superadmin', tenant_id: SYSTEM_TENANT_ID })),
    ).toBe(false);
    expect(canSeeUser(actor('proctor'), user())).toBe(false);
    expect(canSeeUser(actor('candidate', 'target'), user())).toBe(true);
  });
});

describe('planUserUpdate', () => {
  it('maps the first seed synonyms and drops values equal to the current ones', () => {
    const plan = planUserUpdate(
      actor('admin'),
      user(),
      dto({ candidate_name: 'New', language_code: 'fr', email: 'target@x.test' }),
    );
    expect(plan).toEqual({
      changes: { full_name: 'New', preferred_language: 'fr' },
      passwordReset: false,
      revokeReason: null,
    });
    expect(planUserUpdate(actor('admin'), user(), dto({ full_name: 'Wins', candidate_name: 'Loses' })).changes).toEqual(
      {
        full_name: 'Wins',
      },
    );
  });

  it('self-service: only profile fields, client_name ignored', () => {
    const self = actor('candidate', 'target');
    expect(planUserUpdate(self, user(), dto({ full_name: 'Me', client_name: 'x' })).changes).toEqual({
      full_name: 'Me',
    });
    expect(codeOf(() => planUserUpdate(self, user(), dto({ email: 'new@x.test' })))).toBe('403 FIELD_NOT_ALLOWED');
    expect(
      codeOf(() => planUserUpdate(actor('proctor', 'target'), user({ role: 'proctor' }), dto({ is_active: true }))),
    ).toBe('403 FIELD_NOT_ALLOWED');
  });

  it('refuses own role changes, self-deactivation and own password resets', () => {
    const self = actor('admin', 'target');
    const me = user({ role: 'admin' });
    expect(codeOf(() => planUserUpdate(self, me, dto({ role: 'candidate' })))).toBe('403 CANNOT_CHANGE_OWN_ROLE');
    expect(codeOf(() => planUserUpdate(self, me, dto({ is_active: false })))).toBe('409 CANNOT_DEACTIVATE_SELF');
    expect(codeOf(() => planUserUpdate(self, me, dto({ password: 'Another-pass-1' })))).toBe('403 USE_CHANGE_PASSWORD');
    expect(planUserUpdate(self, me, dto({ role: 'admin', is_active: true })).changes).toEqual({});
  });

  it('only a superadmin grants superadmin or moves users, and superadmins stay in System', () => {
    expect(codeOf(() => planUserUpdate(actor('admin'), user(), dto({ role: 'superadmin' })))).toBe(
      '403 ROLE_NOT_ALLOWED',
    );
    expect(codeOf(() => planUserUpdate(actor('admin'), user(), dto({ tenant_id: OTHER })))).toBe(
      '403 CANNOT_MOVE_USER',
    );
    const sa = actor('superadmin', 's', SYSTEM_TENANT_ID);
    expect(codeOf(() => planUserUpdate(sa, user(), dto({ role: 'superadmin' })))).toBe(
      '400 SUPERADMIN_OUTSIDE_SYSTEM_TENANT',
    );
    expect(planUserUpdate(sa, user(), dto({ role: 'superadmin', tenant_id: SYSTEM_TENANT_ID })).changes).toEqual({
      role: 'superadmin',
      tenant_id: SYSTEM_TENANT_ID,
    });
  });

  it('picks the session revocation reason by severity', () => {
    const sa = actor('superadmin', 's', SYSTEM_TENANT_ID);
    const reason = (fields: Partial<UpdateUserDto>) => planUserUpdate(sa, user(), dto(fields)).revokeReason;
    expect(reason({ full_name: 'x' })).toBeNull();
    expect(reason({ password: 'Another-pass-1' })).toBe('password_changed');
    expect(reason({ role: 'proctor', password: 'Another-pass-1' })).toBe('role_changed');
    expect(reason({ role: 'proctor', tenant_id: OTHER })).toBe('tenant_changed');
    expect(reason({ is_active: false, tenant_id: OTHER })).toBe('user_deactivated');
    expect(planUserUpdate(sa, user({ is_active: false }), dto({ is_active: true })).revokeReason).toBeNull();
  });
});
