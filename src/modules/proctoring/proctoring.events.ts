import { FieldError } from '../../common/errors/app-error';
import { VALIDATION_ERROR } from '../../common/errors/common.errors';
import { isUuid } from '../../common/http/uuid-param';

/**
 * The client → server payloads of docs/proctoring.md and their checks. Hand-written rather than class-validator:
 * `signal` is the hot path (ICE trickle), and these refuse in a few comparisons anything that is not a plain object
 * of exactly the known keys with values of the right type and size. A refusal is VALIDATION_ERROR and reaches nobody.
 */

export const SDP_MAX = 16 * 1024;
export const DETAIL_MAX = 500;
export const TEXT_MAX = 1000;
export const REASON_MAX = 500;
const ICE_CANDIDATE_MAX = 2048;

export const INTEGRITY_TYPES = [
  'tab_hidden',
  'tab_visible',
  'focus_lost',
  'focus_gained',
  'fullscreen_exit',
  'fullscreen_enter',
  'copy',
  'paste',
  'context_menu',
  'camera_off',
  'multiple_faces',
  'other',
] as const;
export type IntegrityType = (typeof INTEGRITY_TYPES)[number];

export const SIGNAL_TYPES = ['offer', 'answer', 'ice-candidate'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Peer ids are `p_` + 24 base64url characters (18 random bytes). */
export const PEER_ID = /^p_[A-Za-z0-9_-]{24}$/;

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface SignalPayload {
  to: string;
  type: SignalType;
  sdp?: string;
  candidate?: IceCandidate | null;
}
export interface InvitePayload {
  invite_id: string;
}
export interface ListPayload {
  tenant_id?: string;
}
export interface IntegrityPayload {
  type: IntegrityType;
  detail?: string;
}
export interface MessagePayload {
  invite_id: string;
  text: string;
}
export interface FlagPayload {
  invite_id: string;
  reason: string;
  severity?: Severity;
}
export interface TerminatePayload {
  invite_id: string;
  reason: string;
}

class Checker {
  readonly errors: FieldError[] = [];
  constructor(readonly value: Record<string, unknown>) {}

  fail(field: string, message: string): void {
    if (this.errors.length < 20) this.errors.push({ field, message });
  }

  string(key: string, min: number, max: number, optional = false): void {
    const v = this.value[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'string') return this.fail(key, `${key} must be a string`);
    if (v.length < min || v.length > max) this.fail(key, `${key} must be ${min} to ${max} characters`);
  }

  oneOf(key: string, values: readonly string[], optional = false): void {
    const v = this.value[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !values.includes(v)) this.fail(key, `${key} must be one of ${values.join(', ')}`);
  }

  uuid(key: string, optional = false): void {
    const v = this.value[key];
    if (v === undefined && optional) return;
    if (!isUuid(v)) this.fail(key, `${key} must be a UUID`);
  }
}

/** The payload as a plain object with only `allowed` keys, or VALIDATION_ERROR. */
function check(input: unknown, allowed: readonly string[], rules: (c: Checker) => void): Checker {
  const payload = input === undefined || input === null ? {} : input;
  if (typeof payload !== 'object' || Array.isArray(payload) || Object.getPrototypeOf(payload) !== Object.prototype) {
    throw VALIDATION_ERROR([{ field: 'payload', message: 'payload must be an object' }]);
  }
  const c = new Checker(payload as Record<string, unknown>);
  for (const key of Object.keys(payload)) {
    if (!allowed.includes(key)) c.fail(key, `property ${key.slice(0, 64)} should not exist`);
  }
  if (c.errors.length === 0) rules(c);
  if (c.errors.length > 0) throw VALIDATION_ERROR(c.errors);
  return c;
}

export function parseList(payload: unknown): ListPayload {
  return check(payload, ['tenant_id'], (c) => c.uuid('tenant_id', true)).value as unknown as ListPayload;
}

export function parseInvite(payload: unknown): InvitePayload {
  return check(payload, ['invite_id'], (c) => c.uuid('invite_id')).value as unknown as InvitePayload;
}

function checkIceCandidate(c: Checker, value: unknown): void {
  if (value === null) return;
  if (typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    return c.fail('candidate', 'candidate must be an object or null');
  }
  const ice = value as Record<string, unknown>;
  for (const key of Object.keys(ice)) {
    if (!['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'].includes(key)) {
      c.fail(`candidate.${key.slice(0, 64)}`, 'property should not exist');
    }
  }
  if (typeof ice.candidate !== 'string' || ice.candidate.length > ICE_CANDIDATE_MAX) {
    c.fail('candidate.candidate', `candidate.candidate must be a string of at most ${ICE_CANDIDATE_MAX} characters`);
  }
  const optionalString = (key: string, max: number) => {
    const v = ice[key];
    if (v !== undefined && v !== null && (typeof v !== 'string' || v.length > max)) {
      c.fail(`candidate.${key}`, `candidate.${key} must be a string of at most ${max} characters or null`);
    }
  };
  optionalString('sdpMid', 64);
  optionalString('usernameFragment', 256);
  const index = ice.sdpMLineIndex;
  if (
    index !== undefined &&
    index !== null &&
    !(Number.isInteger(index) && (index as number) >= 0 && (index as number) <= 65535)
  ) {
    c.fail('candidate.sdpMLineIndex', 'candidate.sdpMLineIndex must be an integer 0..65535 or null');
  }
}

/** `from` is accepted and dropped: the server always sets it (docs/proctoring.md `signal`). */
export function parseSignal(payload: unknown): SignalPayload {
  return check(payload, ['to', 'type', 'sdp', 'candidate', 'from'], (c) => {
    const v = c.value;
    if (typeof v.to !== 'string' || !PEER_ID.test(v.to)) c.fail('to', 'to must be a peer id');
    c.oneOf('type', SIGNAL_TYPES);
    if (v.type === 'ice-candidate') {
      if (v.sdp !== undefined) c.fail('sdp', 'sdp must not be sent with an ice-candidate');
      if (v.candidate === undefined) c.fail('candidate', 'candidate is required (null ends the candidates)');
      else checkIceCandidate(c, v.candidate);
    } else {
      c.string('sdp', 1, SDP_MAX);
      if (v.candidate !== undefined) c.fail('candidate', `candidate must not be sent with an ${String(v.type)}`);
    }
  }).value as unknown as SignalPayload;
}

export function parseIntegrity(payload: unknown): IntegrityPayload {
  return check(payload, ['type', 'detail'], (c) => {
    c.oneOf('type', INTEGRITY_TYPES);
    c.string('detail', 0, DETAIL_MAX, true);
  }).value as unknown as IntegrityPayload;
}

export function parseMessage(payload: unknown): MessagePayload {
  return check(payload, ['invite_id', 'text'], (c) => {
    c.uuid('invite_id');
    c.string('text', 1, TEXT_MAX);
  }).value as unknown as MessagePayload;
}

export function parseFlag(payload: unknown): FlagPayload {
  return check(payload, ['invite_id', 'reason', 'severity'], (c) => {
    c.uuid('invite_id');
    c.string('reason', 1, REASON_MAX);
    c.oneOf('severity', SEVERITIES, true);
  }).value as unknown as FlagPayload;
}

export function parseTerminate(payload: unknown): TerminatePayload {
  return check(payload, ['invite_id', 'reason'], (c) => {
    c.uuid('invite_id');
    c.string('reason', 1, REASON_MAX);
  }).value as unknown as TerminatePayload;
}
