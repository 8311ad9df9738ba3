import type { z } from 'zod';
import { ErrorCode, fail, ok, type Result } from './errors.js';

/** At most this many characters of a zod issue list go into a reason string. */
const MAX_REASON = 400;

/** Render zod issues as `path: message; ...`, short enough for logs and MQTT results. */
export function describeIssues(error: z.ZodError): string {
  const text = error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

/** Validate an already-parsed value against a schema. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): Result<T> {
  const parsed = schema.safeParse(value);
  return parsed.success ? ok(parsed.data) : fail(ErrorCode.SCHEMA_INVALID, describeIssues(parsed.error));
}

/** One decoder for every call: `decode` without `stream` keeps no state, and a new one per message was garbage. */
const utf8 = new TextDecoder();

/** Decode an MQTT/HTTP/WebSocket payload: JSON first, then the schema. Errors are values with a named code. */
export function decode<T>(schema: z.ZodType<T>, payload: Uint8Array | string): Result<T> {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : utf8.decode(payload));
  } catch (err) {
    return fail(ErrorCode.BAD_JSON, `payload is not JSON: ${(err as Error).message}`);
  }
  return validate(schema, value);
}

export function encode<T>(schema: z.ZodType<T>, message: T): string {
  return JSON.stringify(schema.parse(message));
}
