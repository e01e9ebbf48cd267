import { sessionFilters } from './proctoring-sessions.service';
import { toSessionDetail, toSessionResponse } from './proctoring-session.view';
import type { SessionRow } from './proctoring-sessions.repository';

const row: SessionRow = {
  attempt_id: 'a1',
  invite_id: 'i1',
  tenant_id: 't1',
  test_id: 'x1',
  test_title: 'Test',
  applicant_name: 'Jane',
  applicant_email: 'jane@example.test',
  attempt_status: 'in_progress',
  started_at: new Date('2026-11-29T10:00:00Z'),
  deadline: new Date('2026-11-29T10:30:00Z'),
  submitted_at: null,
  review_status: 'not_reviewed',
  reviewed_at: null,
  integrity_events: 2,
  flags: 1,
  messages: 0,
  watched_by: ['u2', 'u1'],
};

describe('proctoring session view', () => {
  it('live while in progress, ended otherwise; ISO dates; watchers sorted', () => {
    expect(toSessionResponse(row)).toMatchObject({
      status: 'live',
      started_at: '2026-11-29T10:00:00.000Z',
      submitted_at: null,
      watched_by: ['u1', 'u2'],
    });
    expect(row.watched_by).toEqual(['u2', 'u1']); // the row is not mutated
    const ended = { ...row, attempt_status: 'terminated' as const, submitted_at: new Date('2026-11-29T10:05:00Z') };
    expect(toSessionResponse(ended)).toMatchObject({ status: 'ended', submitted_at: '2026-11-29T10:05:00.000Z' });
  });

  it('the timeline maps actors (null for the candidate) and the review', () => {
    const detail = toSessionDetail(
      row,
      [
        { id: '1', type: 'started', data: {}, actor_user_id: null, actor_name: null, created_at: row.started_at },
        {
          id: '2',
          type: 'proctor.flag',
          data: { reason: 'x' },
          actor_user_id: 'u1',
          actor_name: null,
          created_at: row.started_at,
        },
      ],
      null,
    );
    expect(detail.timeline.map((e) => e.actor)).toEqual([null, { id: 'u1', name: null }]);
    expect(detail.review).toBeNull();
  });
});

describe('sessionFilters', () => {
  it('a date-only `to` includes that whole day; a date-time `to` includes that instant', () => {
    expect(sessionFilters({ from: '2026-11-28', to: '2026-11-28' } as never)).toMatchObject({
      from: new Date('2026-11-28T00:00:00Z'),
      until: new Date('2026-11-29T00:00:00Z'),
    });
    expect(sessionFilters({ to: '2026-11-28T10:00:00Z' } as never).until).toEqual(new Date('2026-11-28T10:00:00.001Z'));
    expect(sessionFilters({} as never)).toEqual({
      tenantId: undefined,
      status: undefined,
      reviewStatus: undefined,
      testId: undefined,
    });
  });
});
