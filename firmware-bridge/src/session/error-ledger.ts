import type { SensorValue } from '@touchpoint/protocol';
import type { McuEvent } from '../commands/events.js';

/**
 * The active error codes the bridge has announced to its listeners, folded from error events and corrected by
 * every READ_ERRORS response (issue 13: a lost ERROR_RAISED must not leave the touchscreen and the console
 * without the error).
 *
 * Responses are observed synchronously, at their position in the byte stream, so an event that follows a
 * response on the wire is applied after it, never undone by it. The very first list only seeds the ledger
 * (listeners read the MCU themselves at start); from then on, including after a reconnect, a difference means
 * events were lost (on the wire, or while the cable was out), and the ledger emits the missing
 * error.raised / error.cleared events. After a detected gap (`markStale`) the next READ_SENSORS response is also
 * announced as a full `state` event, since STATE events may have been lost as well.
 */
export class ErrorLedger {
  private active = new Set<string>();
  private seeded = false;
  private sensorsStale = false;
  private corrected = 0;

  constructor(private readonly emit: (event: McuEvent) => void) {}

  /** Events emitted to repair lost ones. */
  get corrections(): number {
    return this.corrected;
  }

  /** The active errors as of the last byte parsed: the latest READ_ERRORS response with every later event applied. */
  get current(): string[] {
    return [...this.active];
  }

  /** Whether the next READ_SENSORS response should be announced (after a gap). */
  get wantsSensors(): boolean {
    return this.sensorsStale;
  }

  /** A new link session: a pending sensor announcement belonged to the old one. */
  reset(): void {
    this.sensorsStale = false;
  }

  /** Events were lost: the next sensor read is announced too. */
  markStale(): void {
    this.sensorsStale = true;
  }

  track(event: McuEvent): void {
    if (event.type === 'error.raised') this.active.add(event.code);
    else if (event.type === 'error.cleared') this.active.delete(event.code);
  }

  observeErrors(errors: readonly string[]): void {
    const now = new Set(errors);
    const before = this.active;
    this.active = now;
    if (!this.seeded) {
      this.seeded = true;
      return;
    }
    for (const code of now) if (!before.has(code)) this.correct({ type: 'error.raised', code });
    for (const code of before) if (!now.has(code)) this.correct({ type: 'error.cleared', code });
  }

  observeSensors(sensors: Record<string, SensorValue>): void {
    if (!this.sensorsStale) return;
    this.sensorsStale = false;
    this.emit({ type: 'state', sensors });
  }

  private correct(event: McuEvent): void {
    this.corrected++;
    this.emit(event);
  }
}
