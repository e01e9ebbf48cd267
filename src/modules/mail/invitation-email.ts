import type { OutboxKind } from './entities/email-outbox.entity';

/** What the invitations feature hands to `MailService.queueInvitationEmail`. */
export interface InvitationEmail {
  tenantId: string;
  invitationId: string;
  kind: OutboxKind;
  to: string;
  applicantName: string;
  testTitle: string;
  /** the link that opens the test (it carries the token) */
  link: string;
  scheduledDate: Date | null;
  adminScheduled: boolean;
  noSchedule: boolean;
  expiresAt: Date;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The outbox column is varchar(500); a title is cut well before that. */
const MAX_SUBJECT_TITLE = 200;
const SIGNATURE = 'Interview Team';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "March 05, 2026 at 02:30 PM UTC": the original's wording, in UTC (the server knows no recipient time zone). */
export function formatEmailDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return (
    `${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())}, ${date.getUTCFullYear()} at ` +
    `${pad(hour12)}:${pad(date.getUTCMinutes())} ${hours < 12 ? 'AM' : 'PM'} UTC`
  );
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Header-safe single line: no CR/LF (header injection), no other control characters, bounded length. */
function oneLine(value: string, max: number): string {
  const flat = value
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

interface ScheduleVariant {
  /** the sentence about when to take the test */
  line: string;
  /** the label of the link / button */
  action: string;
}

/**
 * The three variants of the original invitation e-mail: a date the admin fixed, "any time" (no_schedule), or the
 * candidate chooses a date and time through the link.
 */
export function scheduleVariant(
  email: Pick<InvitationEmail, 'adminScheduled' | 'noSchedule' | 'scheduledDate'>,
): ScheduleVariant {
  if (email.adminScheduled && email.scheduledDate) {
    return {
      line: `Your test has been scheduled for: ${formatEmailDate(email.scheduledDate)}`,
      action: 'Access Platform',
    };
  }
  if (email.noSchedule) {
    return { line: 'You can take the test anytime at your convenience', action: 'Take Test Anytime' };
  }
  return { line: 'Choose a convenient date and time', action: 'Sign Up & Take Test' };
}

const INTROS: Record<OutboxKind, string> = {
  invitation: 'You have been invited to take the following test',
  resend: 'Here is a new link to take the following test (earlier links no longer work)',
  reminder: 'This is a reminder of your invitation to take the following test',
};

/** Subject, plain text and HTML of an invitation e-mail; every user-supplied value is escaped in the HTML. */
export function renderInvitationEmail(email: InvitationEmail): RenderedEmail {
  const title = oneLine(email.testTitle, MAX_SUBJECT_TITLE);
  const name = oneLine(email.applicantName, 255);
  const variant = scheduleVariant(email);
  const expires = `This invitation expires on ${formatEmailDate(email.expiresAt)}.`;
  const intro = INTROS[email.kind];

  const text = [
    `Hello ${name},`,
    '',
    `${intro}: ${title}`,
    '',
    `${variant.line}.`,
    '',
    `${variant.action}: ${email.link}`,
    '',
    expires,
    '',
    'If you did not expect this invitation, you can ignore this e-mail.',
    '',
    SIGNATURE,
    '',
  ].join('\n');

  const h = escapeHtml;
  const html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Test Invitation: ${h(title)}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; color: #222; line-height: 1.5;">
  <p>Hello ${h(name)},</p>
  <p>${h(intro)}: <strong>${h(title)}</strong></p>
  <p>${h(variant.line)}.</p>
  <p><a href="${h(email.link)}" style="display: inline-block; padding: 10px 18px; background: #2b6cb0; color: #fff; text-decoration: none; border-radius: 4px;">${h(variant.action)}</a></p>
  <p style="font-size: 13px; color: #555;">Or open this link: <a href="${h(email.link)}">${h(email.link)}</a></p>
  <p>${h(expires)}</p>
  <p style="font-size: 13px; color: #555;">If you did not expect this invitation, you can ignore this e-mail.</p>
  <p>${h(SIGNATURE)}</p>
</body>
</html>
`;

  return { subject: `Test Invitation: ${title}`, text, html };
}
