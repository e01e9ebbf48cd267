import type { FieldError } from '../../common/errors/app-error';

export const CONFIG_TYPES = ['sjt', 'jdt', 'global'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

/** `config_data` serialized as JSON may not exceed this (the whole JSON request body is capped at 1 MB). */
export const MAX_CONFIG_BYTES = 512 * 1024;
/** Nesting deeper than this is refused, so no recursive walk over stored data can exhaust the stack. */
export const MAX_CONFIG_DEPTH = 32;
/** A hopeless body reports this many problems at most. */
export const MAX_REPORTED_ERRORS = 50;

export function isConfigType(value: unknown): value is ConfigType {
  return typeof value === 'string' && (CONFIG_TYPES as readonly string[]).includes(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function configSizeBytes(data: unknown): number {
  return Buffer.byteLength(JSON.stringify(data) ?? '', 'utf8');
}

/**
 * The configuration shapes the original admin pages write (README, "Interview configurations") as small composable
 * checks. Every key is optional: a documented key, when present, must have its documented type; every other key is
 * kept as it is. The original clients rely on that — the first seed's test script saves a JDT configuration with
 * only settings-like keys, and its multiple-choice SJT scenarios have `options` instead of `question`. Field names in errors are paths relative to the request body, e.g.
 * `config_data.scenarios[0].situation`.
 */
type Validator = (value: unknown, path: string, errors: FieldError[]) => void;
type Check = (value: unknown) => string | null;

const field = (path: string, key: string) => (path ? `${path}.${key}` : key);

const leaf =
  (check: Check): Validator =>
  (value, path, errors) => {
    const message = check(value);
    if (message) errors.push({ field: path, message });
  };

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const string = leaf((v) => (typeof v === 'string' ? null : 'must be a string'));
const boolean = leaf((v) => (typeof v === 'boolean' ? null : 'must be a boolean'));
const nonNegativeNumber = leaf((v) => (isFiniteNumber(v) && v >= 0 ? null : 'must be a non-negative number'));
const nonNegativeInteger = leaf((v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? null : 'must be a non-negative integer',
);
const integerBetween = (min: number, max: number) =>
  leaf((v) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? null
      : `must be an integer from ${min} to ${max}`,
  );
const numberBetween = (min: number, max: number) =>
  leaf((v) => (isFiniteNumber(v) && v >= min && v <= max ? null : `must be a number from ${min} to ${max}`));
const oneOf = (values: readonly string[]) =>
  leaf((v) => (typeof v === 'string' && values.includes(v) ? null : `must be one of: ${values.join(', ')}`));
/** Scenario, role and question ids: the admin pages use `Date.now() + Math.random()` (a float); scripts use strings. */
const identifier = leaf((v) => {
  if (isFiniteNumber(v)) return null;
  if (typeof v === 'string' && v.trim() !== '' && v.length <= 200) return null;
  return 'must be a number or a non-empty string (at most 200 characters)';
});

function object(fields: Record<string, Validator>): Validator {
  return (value, path, errors) => {
    if (!isPlainObject(value)) {
      errors.push({ field: path || 'body', message: 'must be an object' });
      return;
    }
    for (const [key, validate] of Object.entries(fields)) {
      if (Object.hasOwn(value, key)) validate(value[key], field(path, key), errors);
    }
  };
}

/** An array of `item`s; with `uniqueIds`, no two items may share an `id` (ids name scenarios on uploaded media). */
function arrayOf(item: Validator, options: { uniqueIds?: boolean } = {}): Validator {
  return (value, path, errors) => {
    if (!Array.isArray(value)) {
      errors.push({ field: path, message: 'must be an array' });
      return;
    }
    const seen = new Set<string>();
    value.forEach((element, index) => {
      const at = `${path}[${index}]`;
      item(element, at, errors);
      if (!options.uniqueIds || !isPlainObject(element) || element.id === undefined) return;
      const id = String(element.id);
      if (seen.has(id)) errors.push({ field: `${at}.id`, message: `duplicates the id of an earlier item (${id})` });
      seen.add(id);
    });
  };
}

const sjtScenario = object({
  id: identifier,
  name: string,
  situation: string,
  question: string,
  bestResponseRationale: string,
  worstResponseRationale: string,
  assessedCompetency: string,
  prepTimeSeconds: nonNegativeNumber,
  answerTimeSeconds: nonNegativeNumber,
  reRecordLimit: nonNegativeInteger,
  ttsVoice: string,
});

const sjtSettings = object({
  timeLimit: nonNegativeNumber,
  numberOfQuestions: nonNegativeInteger,
  questionTimeLimit: nonNegativeNumber,
  aiGeneratedQuestions: nonNegativeInteger,
  followUpCount: integerBetween(0, 5),
  followUpPenalty: numberBetween(0, 100),
  prepTimeSeconds: nonNegativeNumber,
  autoStartRecording: boolean,
  answerTimeSeconds: nonNegativeNumber,
  reRecordLimit: nonNegativeInteger,
  ttsEnabled: boolean,
  ttsVoice: string,
});

const jdtQuestion = object({ id: identifier, text: string, preferredAnswer: string, competency: string });

const jdtRole = object({
  id: identifier,
  roleName: string,
  jobDescription: string,
  questions: arrayOf(jdtQuestion, { uniqueIds: true }),
});

const jdtSettings = object({
  timeLimit: nonNegativeNumber,
  numberOfQuestions: nonNegativeInteger,
  aiGeneratedQuestions: nonNegativeInteger,
});

export const REPLY_MODES = ['video', 'audio', 'text'] as const;

const SHAPES: Record<ConfigType, Validator> = {
  sjt: object({ scenarios: arrayOf(sjtScenario, { uniqueIds: true }), settings: sjtSettings }),
  jdt: object({ roles: arrayOf(jdtRole, { uniqueIds: true }), settings: jdtSettings }),
  global: object({
    replyMode: oneOf(REPLY_MODES),
    showReport: boolean,
    isJdtEnabled: boolean,
    isSjtEnabled: boolean,
    languages: arrayOf(string),
    allow_public_registration: boolean,
  }),
};

/**
 * Properties of any JSON value that PostgreSQL or the server cannot hold safely: NUL characters (jsonb rejects
 * `\u0000`) and nesting deeper than MAX_CONFIG_DEPTH. Walks at most MAX_CONFIG_DEPTH levels.
 */
function checkJsonLimits(value: unknown, path: string, depth: number, errors: FieldError[]): void {
  if (errors.length >= MAX_REPORTED_ERRORS) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) errors.push({ field: path, message: 'must not contain NUL characters' });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_CONFIG_DEPTH) {
    errors.push({ field: path, message: `is nested more than ${MAX_CONFIG_DEPTH} levels deep` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkJsonLimits(item, `${path}[${index}]`, depth + 1, errors));
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) errors.push({ field: path, message: 'keys must not contain NUL characters' });
    checkJsonLimits(inner, field(path, key), depth + 1, errors);
  }
}

/**
 * Validates `data` as the `config_data` of a configuration of `type`. `root` names it in error paths:
 * 'config_data' for `{config_type, config_data}` bodies, '' when the body itself is the configuration.
 * Returns the problems found (empty = valid). Size is checked separately (configSizeBytes), before this.
 */
export function validateConfigData(type: ConfigType, data: unknown, root = 'config_data'): FieldError[] {
  const errors: FieldError[] = [];
  if (!isPlainObject(data)) return [{ field: root || 'body', message: 'must be a JSON object' }];
  checkJsonLimits(data, root, 0, errors);
  if (errors.length > 0) return errors.slice(0, MAX_REPORTED_ERRORS);
  SHAPES[type](data, root, errors);
  return errors.slice(0, MAX_REPORTED_ERRORS);
}
