import { CSRF_HEADER, apiError, type ErrorCode } from '@touchpoint/protocol';
import type { z } from 'zod';

/** An API call that failed: the HTTP status and the server's named error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK' | 'BAD_RESPONSE',
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** The session's CSRF token, sent on every state-changing request. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when any call answers 401: the session ended (logout elsewhere, expiry, disabled account). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export type Query = Record<string, string | number | boolean | undefined>;

export function withQuery(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** One typed API call: the response is validated with its schema, errors become ApiError with a code. */
export async function api<S extends z.ZodType>(
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  opts: { query?: Query; body?: unknown } = {},
): Promise<z.output<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    if (csrfToken) headers[CSRF_HEADER] = csrfToken;
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: method === 'GET' ? undefined : JSON.stringify(opts.body ?? {}),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `cannot reach the server: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `the server answered ${res.status} without JSON`);
  }
  if (!res.ok) {
    const parsed = apiError.safeParse(json);
    if (res.status === 401 && path !== '/api/login') for (const l of unauthorizedListeners) l();
    throw parsed.success
      ? new ApiError(res.status, parsed.data.error.code, parsed.data.error.message)
      : new ApiError(res.status, 'BAD_RESPONSE', `HTTP ${res.status}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(res.status, 'BAD_RESPONSE', `unexpected response from ${path}`);
  return parsed.data;
}

/** A file the API wrote as a download (Content-Disposition), with what its X-Export-* headers say. */
export interface Download {
  blob: Blob;
  fileName: string;
  rows: number;
  truncated: boolean;
}

/** A POST whose answer is a file (the CSV and JSON exports), not a JSON API response. */
export async function apiDownload(path: string, body: unknown): Promise<Download> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(csrfToken ? { [CSRF_HEADER]: csrfToken } : {}) },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `cannot reach the server: ${(err as Error).message}`);
  }
  if (!res.ok) {
    const parsed = apiError.safeParse(await res.json().catch(() => null));
    if (res.status === 401) for (const l of unauthorizedListeners) l();
    throw parsed.success
      ? new ApiError(res.status, parsed.data.error.code, parsed.data.error.message)
      : new ApiError(res.status, 'BAD_RESPONSE', `HTTP ${res.status}`);
  }
  const disposition = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return {
    blob: await res.blob(),
    fileName: disposition?.[1] ?? 'touchpoint-export',
    rows: Number(res.headers.get('x-export-rows') ?? 0),
    truncated: res.headers.get('x-export-truncated') === 'true',
  };
}
