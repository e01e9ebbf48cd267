// The mail module's public types (docs/module-boundaries.md); its service is imported from mail.service.ts.
export type { InvitationEmail } from './invitation-email';
export { OUTBOX_KINDS, OUTBOX_STATUSES } from './entities/email-outbox.entity';
export type { OutboxKind, OutboxStatus } from './entities/email-outbox.entity';
