/**
 * Follows the MCU's event counter (header byte `seq` of EVENT frames, wrapping 255 -> 0) and reports how many
 * events went missing in between (issue 13: "events cannot be lost silently").
 *
 * Only an MCU that numbers its events says so: its SUBSCRIBE response carries `event_seq` (the seq of the last
 * event it sent). Until then, and for an older MCU that never says so, nothing is checked: such MCUs may send any
 * seq in events (docs/serial-protocol.md §4.1).
 */
export class EventSequence {
  private last: number | undefined;
  private numbered = false;

  /** Whether the MCU has announced numbered events on this link. */
  get enabled(): boolean {
    return this.numbered;
  }

  /** The SUBSCRIBE response's `event_seq`: the next event must carry `lastSeq + 1`. */
  baseline(lastSeq: number): void {
    this.numbered = true;
    this.last = lastSeq & 0xff;
  }

  /** Link down or a new session: the counter is unknown until the next SUBSCRIBE response. */
  reset(): void {
    this.numbered = false;
    this.last = undefined;
  }

  /** Records an event's seq; returns how many events were skipped before it (0 when in order or unchecked). */
  next(seq: number): number {
    if (!this.numbered) return 0;
    const previous = this.last;
    this.last = seq & 0xff;
    if (previous === undefined) return 0;
    return (seq - previous - 1) & 0xff;
  }
}
