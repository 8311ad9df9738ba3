/**
 * The live channel between processes in cluster mode (issue 15, docs/scale-out.md "The live
 * channel"): one fanout exchange on the engine. Fleet workers and API processes publish to it; each
 * API process binds its own exclusive, auto-delete queue to it, so every API process gets every event
 * and a dead process's queue goes with its connection. A fanout exchange routes without a key, so the
 * engine asks no topic permission for it; engine-auth grants it by name (worker-rights.ts, api-rights.ts).
 */
export const LIVE_EXCHANGE = 'tp.live';
export const LIVE_EXCHANGE_TYPE = 'fanout';

/** Every queue an API process declares starts with this; engine-auth lets the API identity use these only. */
export const API_QUEUE_PREFIX = 'tp.api.';

/** An API process's own live queue: one per process start. */
export function apiLiveQueue(origin: string): string {
  return `${API_QUEUE_PREFIX}live.${origin}`;
}
