import {
  escapeHtml,
  formatEmailDate,
  InvitationEmail,
  renderInvitationEmail,
  scheduleVariant,
} from './invitation-email';

const base: InvitationEmail = {
  tenantId: '00000000-0000-4000-8000-000000000001',
  invitationId: '00000000-0000-4000-8000-000000000002',
  kind: 'invitation',
  to: 'ada@example.com',
  applicantName: 'Ada Lovelace',
  testTitle: 'Backend basics',
  link: 'https://app.example.com/test-invite/abc_DEF-123',
  scheduledDate: null,
  adminScheduled: false,
  noSchedule: false,
  expiresAt: new Date('2030-01-15T12:00:00Z'),
};

describe('invitation e-mail rendering', () => {
  it('subject is "Test Invitation: {title}"', () => {
    expect(renderInvitationEmail(base).subject).toBe('Test Invitation: Backend basics');
  });

  it('formats dates in UTC like the original ("March 05, 2026 at 02:30 PM")', () => {
    expect(formatEmailDate(new Date('2026-03-05T14:30:00Z'))).toBe('March 05, 2026 at 02:30 PM UTC');
    expect(formatEmailDate(new Date('2026-12-31T00:05:00Z'))).toBe('December 31, 2026 at 12:05 AM UTC');
    expect(formatEmailDate(new Date('2026-07-01T12:00:00Z'))).toBe('July 01, 2026 at 12:00 PM UTC');
  });

  describe('the three schedule variants', () => {
    it('a date the admin fixed', () => {
      const email = { ...base, adminScheduled: true, scheduledDate: new Date('2030-01-10T09:00:00Z') };
      expect(scheduleVariant(email)).toEqual({
        line: 'Your test has been scheduled for: January 10, 2030 at 09:00 AM UTC',
        action: 'Access Platform',
      });
      const { text, html } = renderInvitationEmail(email);
      expect(text).toContain('Your test has been scheduled for: January 10, 2030 at 09:00 AM UTC.');
      expect(html).toContain('>Access Platform</a>');
    });

    it('no schedule: any time', () => {
      const { text, html } = renderInvitationEmail({ ...base, noSchedule: true });
      expect(text).toContain('You can take the test anytime at your convenience.');
      expect(html).toContain('>Take Test Anytime</a>');
    });

    it('otherwise the candidate chooses (also when only the candidate had scheduled)', () => {
      for (const email of [base, { ...base, scheduledDate: new Date('2030-01-10T09:00:00Z') }]) {
        const { text, html } = renderInvitationEmail(email);
        expect(text).toContain('Choose a convenient date and time.');
        expect(html).toContain('>Sign Up &amp; Take Test</a>');
      }
    });

    it('admin_scheduled without a date falls back to the other variants', () => {
      expect(scheduleVariant({ adminScheduled: true, scheduledDate: null, noSchedule: true }).action).toBe(
        'Take Test Anytime',
      );
    });
  });

  it('carries the link and the expiry date in both parts', () => {
    const { text, html } = renderInvitationEmail(base);
    expect(text).toContain(`Sign Up & Take Test: ${base.link}`);
    expect(html).toContain(`href="${base.link}"`);
    expect(text).toContain('This invitation expires on January 15, 2030 at 12:00 PM UTC.');
    expect(html).toContain('This invitation expires on January 15, 2030 at 12:00 PM UTC.');
  });

  it('escapes every user value in the HTML', () => {
    const hostile = {
      ...base,
      applicantName: `<img src=x onerror="alert('n')">`,
      testTitle: `</title><script>alert("t")</script> & co`,
      link: `https://app.example.com/test-invite/x"><script>alert(1)</script>`,
    };
    const { html, text, subject } = renderInvitationEmail(hostile);
    expect(html).not.toMatch(/<script|<img|onerror="/);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(&#39;n&#39;)&quot;&gt;');
    expect(html).toContain('&lt;/title&gt;&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; co');
    expect(html).toContain(
      'href="https://app.example.com/test-invite/x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
    );
    // the plain-text part and the subject are not HTML: they keep the characters as typed
    expect(text).toContain(`Hello <img src=x onerror="alert('n')">,`);
    expect(subject).toBe('Test Invitation: </title><script>alert("t")</script> & co');
  });

  it('keeps CR/LF out of the subject (no header injection) and bounds its length', () => {
    const { subject } = renderInvitationEmail({ ...base, testTitle: 'Quiz\r\nBcc: victim@example.com' });
    expect(subject).toBe('Test Invitation: Quiz Bcc: victim@example.com');
    expect(renderInvitationEmail({ ...base, testTitle: 'x'.repeat(1000) }).subject.length).toBeLessThanOrEqual(220);
  });

  it('says what kind of e-mail it is', () => {
    expect(renderInvitationEmail({ ...base, kind: 'resend' }).text).toContain('earlier links no longer work');
    expect(renderInvitationEmail({ ...base, kind: 'reminder' }).text).toContain('reminder');
  });

  it('escapeHtml covers the five special characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
