import { describe, expect, it } from 'vitest';
import { diagnosticsMessage, type DiagnosticsMessage, type UiLiveState } from '@touchpoint/protocol';
import type { AgentEvents } from '../../src/agent-events.js';
import { EventBus } from '../../src/event-bus.js';
import { ExtensionContext } from '../../src/extension-context.js';
import { LiveState } from '../../src/local-server/live-state.js';
import { silentLogger } from '../../src/logger.js';

function snapshot(errors: string[]): DiagnosticsMessage {
  return diagnosticsMessage.parse({
    v: 1,
    id: `snapshot-${errors.join('-') || 'none'}`,
    ts: Date.now(),
    deviceId: 'dev-live',
    reason: 'periodic',
    mcu: { sensors: { water_tank_level: 80 }, errors },
    agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 1 },
  });
}

/** A snapshot's error list is read before it is sent; events after the read are newer (kiosk-session flaked on it). */
describe('the touch UI live state', () => {
  function setup(activeErrors?: () => readonly string[]) {
    const bus = new EventBus<AgentEvents>(silentLogger);
    const states: UiLiveState[] = [];
    const live = new LiveState(
      bus,
      (s) => states.push(s),
      () => 'up',
      activeErrors,
    );
    live.start(new ExtensionContext());
    return { bus, live };
  }

  it('keeps a cleared error cleared when a snapshot read before the clear arrives after it', () => {
    let bridgeErrors: string[] = ['E05', 'E03'];
    const { bus, live } = setup(() => bridgeErrors);
    bus.emit('mcu.event', { type: 'error.raised', code: 'E05' });
    bus.emit('mcu.event', { type: 'error.raised', code: 'E03' });
    bridgeErrors = [];
    bus.emit('mcu.event', { type: 'error.cleared', code: 'E05' });
    bus.emit('mcu.event', { type: 'error.cleared', code: 'E03' });
    bus.emit('diagnostics.snapshot', snapshot(['E05', 'E03']));
    expect(live.current.errors).toEqual([]);
    expect(live.current.sensors).toEqual({ water_tank_level: 80 });
  });

  it('corrects a lost event from the bridge list on a snapshot', () => {
    const { bus, live } = setup(() => ['E02']);
    bus.emit('diagnostics.snapshot', snapshot(['E02']));
    expect(live.current.errors).toEqual(['E02']);
  });

  it('without a bridge list takes the snapshot as it is', () => {
    const { bus, live } = setup();
    bus.emit('mcu.event', { type: 'error.raised', code: 'E05' });
    bus.emit('diagnostics.snapshot', snapshot(['E03']));
    expect(live.current.errors).toEqual(['E03']);
  });
});
