import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error';
import { invalidText, textProblem } from './text-safety';
import {
  BODY_TOO_COMPLEX,
  BODY_TOO_DEEP,
  BODY_TOO_WIDE,
  UNSUPPORTED_MEDIA_TYPE,
  VALIDATION_ERROR,
} from '../errors/common.errors';

/**
 * Limits on the shape of a JSON body (README "Request bodies"). Far beyond any legitimate body — a submission's
 * conversation_history of 500 entries of ten fields is about 5,500 values — and far below what is expensive:
 * class-transformer recurses once per level (a stack overflow at a few thousand), is quadratic in the keys of
 * one object (110,000 keys: 14 s of blocked event loop) and costs a few microseconds per value even on linear
 * shapes (20,000 values: under 100 ms for a whole request); JSON.parse alone needs ~45 ms for 110,000 keys.
 */
export const MAX_BODY_DEPTH = 100;
export const MAX_OBJECT_KEYS = 1_000;
export const MAX_BODY_NODES = 20_000;

/** Keys that would reach an object's prototype in naive merging code; no DTO or stored blob needs them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const tooDeep = (field: string) => BODY_TOO_DEEP(field, MAX_BODY_DEPTH);
const tooWide = (field: string) => BODY_TOO_WIDE(field, MAX_OBJECT_KEYS);
const tooComplex = () => BODY_TOO_COMPLEX(MAX_BODY_NODES);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isScalarChar = (c: number) => c > 0x20 && c !== COMMA && c !== 0x3a && c !== CLOSE_OBJECT && c !== CLOSE_ARRAY;

/**
 * Checks the limits on the raw UTF-8 JSON bytes in one linear pass, before JSON.parse builds anything (parsing a
 * 110,000-key object costs more than a whole request may) and without decoding them (JSON's structural
 * characters are ASCII, and no byte of a multi-byte UTF-8 sequence is). Valid JSON is measured exactly (a
 * duplicated key counts twice); invalid JSON is left for JSON.parse to reject, so this never throws on it. Field
 * names are not known here: the limits are reported against the body.
 */
export function checkJsonBytes(bytes: Uint8Array): AppError | null {
  const keyCounts: number[] = []; // per open container: keys so far for an object, -1 for an array
  let expectKey = false;
  let nodes = 0;
  const length = bytes.length;
  for (let i = 0; i < length; i += 1) {
    const c = bytes[i];
    if (isSpace(c)) continue;
    if (c === QUOTE) {
      i += 1;
      while (i < length) {
        const s = bytes[i];
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE) break;
        else i += 1;
      }
      if (expectKey) {
        expectKey = false;
        const top = keyCounts.length - 1;
        keyCounts[top] += 1;
        if (keyCounts[top] > MAX_OBJECT_KEYS) return tooWide('body');
        continue;
      }
      nodes += 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      nodes += 1;
      keyCounts.push(c === OPEN_OBJECT ? 0 : -1);
      if (keyCounts.length > MAX_BODY_DEPTH) return tooDeep('body');
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      keyCounts.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = keyCounts.length > 0 && keyCounts[keyCounts.length - 1] >= 0;
    } else if (c !== 0x3a) {
      // a number, true, false or null: one value, however many characters
      nodes += 1;
      while (i + 1 < length && isScalarChar(bytes[i + 1])) i += 1;
    }
    if (nodes > MAX_BODY_NODES) return tooComplex();
  }
  return null;
}

/** body-parser's `verify` hook: runs on the raw bytes before JSON.parse (a throw here becomes the response). */
export function verifyJsonBytes(
  _req: IncomingMessage,
  _res: ServerResponse,
  raw: Buffer,
  encoding: string | null,
): void {
  let bytes: Uint8Array = raw;
  if (encoding && !/^utf-?8$/i.test(encoding)) {
    // UTF-16 and the like: measured as the UTF-8 they stand for
    try {
      bytes = Buffer.from(new TextDecoder(encoding).decode(raw), 'utf8');
    } catch {
      throw UNSUPPORTED_MEDIA_TYPE(`Unsupported charset "${encoding}"; send UTF-8 JSON`);
    }
  }
  const error = checkJsonBytes(bytes);
  if (error) throw error;
}

interface Pending {
  value: unknown;
  depth: number;
  parent: Pending | null;
  key: string | number;
}

function fieldOf(entry: Pending): string {
  const parts: string[] = [];
  for (let at: Pending | null = entry; at?.parent; at = at.parent) {
    parts.push(typeof at.key === 'number' ? `[${at.key}]` : `${at.parent.parent ? '.' : ''}${at.key}`);
  }
  const field = parts.reverse().join('');
  return field === '' || field.startsWith('[') ? `body${field}` : field;
}

/**
 * One iterative walk over a parsed body (no recursion, so hostile nesting cannot overflow the stack): the shape
 * limits again (for bodies that did not come through the JSON parser's hook), then every key and string —
 * prototype keys are refused like any unknown field, NUL and lone surrogates like any invalid text.
 */
export function bodyShapeError(body: unknown): AppError | null {
  const stack: Pending[] = [{ value: body, depth: 0, parent: null, key: '' }];
  let nodes = 0;
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { value, depth } = entry;
    nodes += 1;
    if (nodes > MAX_BODY_NODES) return tooComplex();
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return invalidText(fieldOf(entry), problem);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return tooDeep(fieldOf(entry));
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) {
        stack.push({ value: value[index], depth: depth + 1, parent: entry, key: index });
      }
      continue;
    }
    // Object.keys lists an own "__proto__" made by JSON.parse; reading it back as value[key] would not.
    const keys = Object.keys(value);
    if (keys.length > MAX_OBJECT_KEYS) return tooWide(fieldOf(entry));
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const key = keys[index];
      const child: Pending = { value: undefined, depth: depth + 1, parent: entry, key };
      if (PROTOTYPE_KEYS.has(key)) {
        const field = fieldOf(child);
        return VALIDATION_ERROR([{ field, message: `unknown field "${key}"` }]);
      }
      const problem = textProblem(key);
      if (problem) return invalidText(fieldOf(child), `key ${problem}`);
      child.value = (value as Record<string, unknown>)[key];
      stack.push(child);
    }
  }
  return null;
}

/**
 * Runs after the JSON parser, before any route, guard or pipe: a body outside the limits or carrying text no
 * column can hold is a 400 here, so no DTO transformation ever sees it.
 */
export function bodyShapeMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const error = req.body !== undefined && req.body !== null ? bodyShapeError(req.body) : null;
  next(error ?? undefined);
}
