import { AppError } from '../../common/errors/app-error';
import { parseFlag, parseIntegrity, parseInvite, parseList, parseSignal } from './proctoring.events';
import { TokenBucket } from './token-bucket';

const PEER = 'p_abcdefghijklmnopqrstuvwx';

function refused(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_ERROR');
    return ((error as AppError).errors ?? []).map((e) => e.field);
  }
  throw new Error('accepted');
}

describe('proctoring event payloads', () => {
  it('accepts the contract shapes and drops a client-sent from', () => {
    expect(parseSignal({ to: PEER, type: 'offer', sdp: 'v=0', from: 'x' })).toMatchObject({ to: PEER, type: 'offer' });
    expect(parseSignal({ to: PEER, type: 'ice-candidate', candidate: null })).toMatchObject({ candidate: null });
    expect(
      parseSignal({
        to: PEER,
        type: 'ice-candidate',
        candidate: { candidate: 'c', sdpMid: null, sdpMLineIndex: 1, usernameFragment: 'u' },
      }),
    ).toMatchObject({ type: 'ice-candidate' });
    expect(parseList(undefined)).toEqual({});
    expect(parseIntegrity({ type: 'copy' })).toEqual({ type: 'copy' });
    expect(parseFlag({ invite_id: '6a1e0f52-3333-4333-8333-333333333333', reason: 'r', severity: 'low' })).toBeTruthy();
  });

  it('refuses non-objects, unknown keys, wrong types and sizes', () => {
    for (const value of ['x', 1, true, [], new Date(), Object.create(null)]) {
      expect(refused(() => parseSignal(value))).toEqual(['payload']);
    }
    expect(refused(() => parseSignal({ to: PEER, type: 'offer', sdp: 'x'.repeat(16 * 1024 + 1) }))).toEqual(['sdp']);
    expect(refused(() => parseSignal({ to: PEER, type: 'offer', sdp: 'x', candidate: null }))).toEqual(['candidate']);
    expect(refused(() => parseSignal({ to: PEER, type: 'ice-candidate', sdp: 'x', candidate: null }))).toEqual(['sdp']);
    expect(refused(() => parseSignal({ to: PEER, type: 'ice-candidate', candidate: { candidate: 1 } }))).toEqual([
      'candidate.candidate',
    ]);
    expect(
      refused(() => parseSignal({ to: PEER, type: 'ice-candidate', candidate: { candidate: 'c', sdpMLineIndex: -1 } })),
    ).toEqual(['candidate.sdpMLineIndex']);
    expect(refused(() => parseSignal({ to: 'p_short', type: 'answer', sdp: 'x' }))).toEqual(['to']);
    expect(refused(() => parseInvite({ invite_id: 'nope', more: 1 }))).toEqual(['more']);
    expect(refused(() => parseInvite({ invite_id: 'nope' }))).toEqual(['invite_id']);
    expect(refused(() => parseIntegrity({ type: 'copy', detail: 'x'.repeat(501) }))).toEqual(['detail']);
    expect(refused(() => parseList({ tenant_id: 5 }))).toEqual(['tenant_id']);
  });
});

describe('TokenBucket', () => {
  it('allows the burst, refuses beyond it, and calls sustained refusal abuse', () => {
    const bucket = new TokenBucket(50, 100);
    const verdicts = Array.from({ length: 700 }, () => bucket.take());
    expect(verdicts.slice(0, 100).every((v) => v === 'ok')).toBe(true);
    expect(verdicts[101]).toBe('limited');
    expect(verdicts).toContain('abuse');
  });
});
