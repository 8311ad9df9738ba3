import { describe, expect, it } from 'vitest';
import { EventBus } from '../src/event-bus.js';
import type { Logger } from '../src/logger.js';

function recordingLogger(): Logger & { errors: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = [];
  return { debug() {}, info() {}, warn() {}, error: (message, fields) => errors.push({ message, ...fields }), errors };
}

describe('EventBus', () => {
  it('logs a throwing or rejecting listener and still calls the others', async () => {
    const logger = recordingLogger();
    const bus = new EventBus<{ tick: number }>(logger);
    const seen: number[] = [];
    bus.on('tick', () => {
      throw new Error('boom');
    });
    bus.on('tick', async () => {
      throw new Error('async boom');
    });
    bus.on('tick', (n) => void seen.push(n));
    bus.emit('tick', 7);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([7]);
    expect(logger.errors.map((e) => e.error)).toEqual(['boom', 'async boom']);
    expect(logger.errors[0]).toMatchObject({ code: 'INTERNAL', event: 'tick' });
  });

  it('unsubscribes', () => {
    const bus = new EventBus<{ tick: number }>(recordingLogger());
    const seen: number[] = [];
    const off = bus.on('tick', (n) => void seen.push(n));
    bus.emit('tick', 1);
    off();
    bus.emit('tick', 2);
    expect(seen).toEqual([1]);
    expect(bus.listenerCount('tick')).toBe(0);
  });
});
