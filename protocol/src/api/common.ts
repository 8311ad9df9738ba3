import { z } from 'zod';
import { ErrorCode } from '../errors.js';

/**
 * Shared pieces of the console HTTP API (`/api/*`). Request and response
 * bodies are zod schemas, used by the broker to validate what it receives and
 * sends, and by the console to validate what it gets back.
 */

const errorCodes = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];
export const apiErrorCode = z.enum(errorCodes);

/** Every error response: `{ error: { code, message } }`, with an ErrorCode name. */
export const apiError = z.object({
  error: z.object({ code: apiErrorCode, message: z.string(), details: z.unknown().optional() }),
});
export type ApiError = z.infer<typeof apiError>;

/** Query-string numbers arrive as text. */
const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** limit/offset paging for lists whose total is cheap to count. */
export const pageQuery = {
  limit: queryInt(1, 500).default(50),
  offset: queryInt(0, 10_000_000).default(0),
};

/** A query-string boolean: `true` or `false`. */
export const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const optionalQueryInt = (min: number, max: number) => queryInt(min, max).optional();

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().nonnegative(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/** Keyset paging for append-only streams (audit, timeline): pass `nextCursor` back as `before`. */
export function cursorPageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** `{ ok: true }` for actions with nothing else to say. */
export const okResponse = z.object({ ok: z.literal(true) });
