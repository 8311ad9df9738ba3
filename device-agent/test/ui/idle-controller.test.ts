import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleController, type IdleView } from '../../ui/src/controllers/idle-controller.js';
import type { AgentMessage } from '../../ui/src/data/agent-messages.js';

const hello = (idleTimeoutS: number): AgentMessage => ({
  type: 'hello',
  deviceId: 'cm-1',
  model: 'coffee-machine',
  profileVersion: '1.0.0',
  agentVersion: '0.1.0',
  state: { broker: 'online', link: 'up', sensors: {}, errors: [], updatedAt: 0 },
  idleTimeoutS,
});

/** The controller on a stand-in host: `view` is what the app would report, `resets` counts the timeouts. */
function setup(initial: IdleView, idleTimeoutS = 10) {
  let view = initial;
  let resets = 0;
  const listeners = new Set<(m: AgentMessage) => void>();
  const target = new EventTarget();
  const host = { addController: () => undefined, requestUpdate: () => undefined };
  const controller = new IdleController(
    host as never,
    {
      onMessage: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    { view: () => view, reset: () => resets++, target },
  );
  controller.hostConnected();
  for (const l of listeners) l(hello(idleTimeoutS));
  return {
    set(next: IdleView) {
      view = next;
      controller.hostUpdated();
    },
    tap: () => target.dispatchEvent(new Event('pointerdown')),
    resets: () => resets,
    stop: () => controller.hostDisconnected(),
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('IdleController (the touchscreen inactivity timeout, issue 16)', () => {
  it('resets a screen away from home after the idle time from the last tap, once', () => {
    const s = setup('home');
    s.set('away');
    vi.advanceTimersByTime(6_000);
    s.tap(); // the customer is there: the time starts again
    vi.advanceTimersByTime(9_999);
    expect(s.resets()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(s.resets()).toBe(1);
    s.set('home');
    vi.advanceTimersByTime(60_000);
    expect(s.resets()).toBe(1);
  });

  it('never resets home, nor anything when the agent says 0', () => {
    const s = setup('home');
    vi.advanceTimersByTime(60_000);
    expect(s.resets()).toBe(0);
    const off = setup('away', 0);
    vi.advanceTimersByTime(60_000);
    expect(off.resets()).toBe(0);
  });

  it('holds while the device works and gives the full time again when the hold ends', () => {
    const s = setup('away');
    s.set('hold');
    vi.advanceTimersByTime(35_000);
    expect(s.resets()).toBe(0);
    s.set('away'); // the descale finished: the customer reads the result
    vi.advanceTimersByTime(9_000);
    expect(s.resets()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(s.resets()).toBe(1);
  });

  it('stops listening when the app goes away', () => {
    const s = setup('away');
    s.stop();
    vi.advanceTimersByTime(60_000);
    expect(s.resets()).toBe(0);
  });
});
