import type { LinkState, SensorValue, UiLiveState } from '@touchpoint/protocol';
import type { AgentEvents } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import type { ExtensionContext } from '../extension-context.js';

/**
 * The live state the touch UI shows, folded from bus events: MQTT up/down,
 * the MCU link, sensors (from MCU `state` pushes and snapshots) and active
 * error codes (raised/cleared events, corrected by every snapshot).
 *
 * A snapshot's error list was read before the snapshot was sent, and error
 * events that followed the read may already be applied here; with
 * `activeErrors` (the bridge's list as of the last byte received) a snapshot
 * corrects from that instead, so a stale read never brings a cleared error back.
 */
export class LiveState {
  private state: UiLiveState;

  constructor(
    private readonly bus: EventBus<AgentEvents>,
    private readonly onChange: (state: UiLiveState) => void,
    private readonly link: () => LinkState,
    private readonly activeErrors?: () => readonly string[],
  ) {
    this.state = { broker: 'offline', link: link(), sensors: {}, errors: [], updatedAt: Date.now() };
  }

  get current(): UiLiveState {
    return this.state;
  }

  /**
   * Extensions that started earlier (the MCU link) may have changed state already: read it now. The bus listeners
   * go into the local server's context, which removes them when it stops.
   */
  start(context: ExtensionContext): void {
    this.patch({ link: this.link() });
    const bus = this.bus;
    context.on(bus, 'mqtt.connected', () => this.patch({ broker: 'online' }));
    context.on(bus, 'mqtt.disconnected', () => this.patch({ broker: 'offline' }));
    context.on(bus, 'mcu.link', ({ state }) =>
      this.patch(state === 'up' ? { link: state } : { link: state, sensors: {} }),
    );
    context.on(bus, 'mcu.event', (event) => {
      switch (event.type) {
        case 'state':
          this.patch({ sensors: { ...this.state.sensors, ...event.sensors } });
          break;
        case 'error.raised':
          if (!this.state.errors.includes(event.code))
            this.patch({ errors: [...this.state.errors, event.code].slice(-64) });
          break;
        case 'error.cleared':
          this.patch({ errors: this.state.errors.filter((code) => code !== event.code) });
          break;
        case 'progress':
        case 'action.done':
          break;
      }
    });
    context.on(bus, 'diagnostics.snapshot', (snapshot) => {
      if (snapshot.agent.link === 'up')
        this.patch({
          sensors: { ...this.state.sensors, ...snapshot.mcu.sensors },
          errors: this.activeErrors ? [...this.activeErrors()] : snapshot.mcu.errors,
        });
    });
  }

  private patch(change: Partial<Omit<UiLiveState, 'updatedAt'>>): void {
    const next = { ...this.state, ...change };
    if (sameState(next, this.state)) return;
    this.state = { ...next, updatedAt: Date.now() };
    this.onChange(this.state);
  }
}

function sameRecord(a: Record<string, SensorValue>, b: Record<string, SensorValue>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function sameState(a: Omit<UiLiveState, 'updatedAt'>, b: Omit<UiLiveState, 'updatedAt'>): boolean {
  return (
    a.broker === b.broker &&
    a.link === b.link &&
    sameRecord(a.sensors, b.sensors) &&
    a.errors.length === b.errors.length &&
    a.errors.every((e, i) => e === b.errors[i])
  );
}
