// One guard at the edge of every service: a path, query or JSON body a client sends reaches no route (and no SQL
// driver) with a malformed percent-escape, a control character, a lone surrogate or an absurd nesting depth.
import type { RequestHandler } from 'express';
import { BadRequestError } from '../errors/app-error';

/**
 * C0 controls except tab, LF and CR; DEL; C1 controls; the line/paragraph separators; the bidirectional overrides and
 * isolates and the BOM (no field of this API is free text, so nothing legitimate carries them).
 */
const CONTROL_CHARACTERS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069\\uFEFF';
const controlCharacter = new RegExp(`[${CONTROL_CHARACTERS}]`);
/** The same rule as a JSON Schema (ECMA-262) pattern, for the API contract: a string this guard lets through. */
export const SAFE_TEXT_PATTERN = `^[^${CONTROL_CHARACTERS}]*$`;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 32;

/** The first problem with a string, or undefined. */
export function textProblem(value: string): string | undefined {
  if (controlCharacter.test(value)) return 'contains a control character';
  if (loneSurrogate.test(value)) return 'is not well-formed Unicode';
  return undefined;
}

/** Walks a parsed JSON value (keys and strings) without recursion, so a deeply nested body cannot blow the stack. */
function valueProblem(root: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return `a string ${problem}`;
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_DEPTH) return `is nested deeper than ${MAX_DEPTH} levels`;
      for (const [key, item] of Object.entries(value)) {
        const problem = textProblem(key);
        if (problem) return `a key ${problem}`;
        stack.push({ value: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** 400 for a path that does not decode, or a path, query or body carrying characters no field of this API takes. */
export function rejectUnsafeInput(): RequestHandler {
  return (req, _res, next) => {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(new BadRequestError('Malformed percent-encoding in the path', { code: 'BAD_PATH' }));
    }
    if (textProblem(path)) return next(new BadRequestError('The path contains a control character', { code: 'BAD_PATH' }));
    const queryProblem = valueProblem(req.query);
    if (queryProblem) return next(new BadRequestError(`The query ${queryProblem}`, { code: 'INVALID_CHARACTERS' }));
    const bodyProblem = valueProblem(req.body);
    if (bodyProblem) return next(new BadRequestError(`The request body ${bodyProblem}`, { code: 'INVALID_CHARACTERS' }));
    next();
  };
}
