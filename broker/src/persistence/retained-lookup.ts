import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { decode } from 'msgpack-lite';
import { hasWildcard } from '@touchpoint/protocol';
import type { Logger } from '../logger.js';

/** The part of an aedes persistence this module changes. */
interface RetainedSource {
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/** The part of a Level database it reads. */
interface KeyValueStore {
  get(key: string, options: { valueEncoding: 'buffer' }): Promise<Uint8Array | undefined>;
}

/** aedes-persistence-level's key for a retained message. */
const RETAINED_PREFIX = 'retained:';

/**
 * aedes-persistence-level answers every SUBSCRIBE by scanning all retained
 * messages. Every device keeps a retained presence, so each device's subscribe
 * to its own command topic cost O(fleet), and connecting a fleet O(fleet²).
 * A filter without wildcards names exactly one key, so it is looked up
 * directly; filters with wildcards (staff tools) still scan. Stream errors (a
 * scan still running while the broker closes) are logged, never thrown.
 */
export function withDirectRetainedLookup<P extends RetainedSource>(
  persistence: P,
  store: KeyValueStore,
  log: Logger,
): P {
  const scan = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns: string[]): Readable => {
    const stream = patterns.some(hasWildcard) ? scan(patterns) : ReadableStream.from(lookup(store, patterns));
    return stream.on('error', (err: Error) =>
      log.warn('retained message lookup failed', { code: 'INTERNAL', reason: err.message }),
    );
  };
  return persistence;
}

async function* lookup(store: KeyValueStore, topics: readonly string[]): AsyncGenerator<unknown> {
  for (const topic of topics) {
    const blob = await store.get(`${RETAINED_PREFIX}${topic}`, { valueEncoding: 'buffer' });
    if (blob) yield decode(blob);
  }
}
