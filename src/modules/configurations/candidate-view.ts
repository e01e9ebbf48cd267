/**
 * The answer key of a configuration: fields a candidate must never receive (the original sent the whole SJT/JDT
 * configuration, best/worst rationales and preferred answers included, to the candidate's browser).
 *
 * Removed at any depth, matched case-insensitively and ignoring `_`/`-` (so `preferred_answer`, `PreferredAnswer`
 * and `correct-answer` go too):
 * - SJT (free-text; README, "Interview assessments"): `bestResponseRationale`, `worstResponseRationale`;
 * - JDT: `preferredAnswer`;
 * - the multiple-choice SJT leftover (`setup_test_configs.py`): `bestResponse`, `worstResponse`, `bestReason`,
 *   `worstReason`;
 * - test-style answer keys: `correct_answer`, `correct_answers`, `correctAnswer`, `answerKey`;
 * - anything an author marks private: every key starting with `_private` (e.g. `_privateNotes`).
 */
export const ANSWER_KEY_FIELDS = [
  'bestResponseRationale',
  'worstResponseRationale',
  'preferredAnswer',
  'bestResponse',
  'worstResponse',
  'bestReason',
  'worstReason',
  'correct_answer',
  'correct_answers',
  'correctAnswer',
  'answerKey',
] as const;

export const PRIVATE_KEY_PREFIX = '_private';

const normalise = (key: string) => key.toLowerCase().replace(/[_-]/g, '');
const HIDDEN = new Set(ANSWER_KEY_FIELDS.map(normalise));

export function isAnswerKeyField(key: string): boolean {
  return HIDDEN.has(normalise(key)) || key.toLowerCase().startsWith(PRIVATE_KEY_PREFIX);
}

/** A deep copy of `value` without any answer-key field. The input is not modified. */
export function toCandidateSafe<T>(value: T): T {
  return strip(value) as T;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  // Object.fromEntries defines own properties, so a `__proto__` key stays data and never becomes a prototype.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !isAnswerKeyField(key))
      .map(([key, inner]) => [key, strip(inner)]),
  );
}
