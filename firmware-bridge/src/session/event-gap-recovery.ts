import { ErrorCode } from '@touchpoint/protocol';
import type { BridgeLogger, EventGap } from '../bridge-types.js';
import type { ErrorLedger } from './error-ledger.js';
import { EventSequence } from './event-sequence.js';

export interface EventGapRecoveryOptions {
  /** The serial port, for the log. */
  path: string;
  log: BridgeLogger;
  ledger: ErrorLedger;
  /** Makes the MCU send its errors and sensors again (the ledger reads the answers). */
  reread: () => Promise<unknown>;
  linkUp: () => boolean;
  onGap: (gap: EventGap) => void;
}

/**
 * Lost MCU events (docs/serial-protocol.md §4.1): follows the MCU's event numbering from the
 * SUBSCRIBE response on, and after a gap marks the error ledger stale and re-reads errors and
 * sensors, one re-read at a time.
 */
export class EventGapRecovery {
  private readonly sequence = new EventSequence();
  private unnumberedLogged = false;
  /** A re-read after a gap is on the wire; `again` asks for one more once it is answered. */
  private resync: { again: boolean } | undefined;
  gaps = 0;
  missed = 0;

  constructor(private readonly options: EventGapRecoveryOptions) {}

  /** The SUBSCRIBE response's event counter, or undefined from an MCU that does not number its events. */
  subscribed(lastEventSeq: number | undefined): void {
    if (lastEventSeq !== undefined) {
      this.sequence.baseline(lastEventSeq);
    } else if (!this.unnumberedLogged) {
      this.unnumberedLogged = true;
      this.options.log.info(
        `MCU on ${this.options.path} does not number its events (no "event_seq" in the SUBSCRIBE response): a lost event cannot be detected`,
      );
    }
  }

  /** Every event frame's sequence number, in order of arrival. */
  observe(seq: number): void {
    const missed = this.sequence.next(seq);
    if (missed > 0) this.onGap(missed, seq);
  }

  /** The link came up again: the numbering starts over. */
  reset(): void {
    this.sequence.reset();
  }

  private onGap(missed: number, seq: number): void {
    this.gaps++;
    this.missed += missed;
    this.options.log.warn(
      `${ErrorCode.MCU_ERROR}: ${missed} MCU event(s) lost before event seq ${seq} (${this.gaps} gaps so far); re-reading errors and sensors`,
    );
    this.options.ledger.markStale();
    this.options.onGap({ missed, seq, gaps: this.gaps });
    this.reread();
  }

  /** The answers are applied as they arrive (the bridge's observeResponse); this only asks for them. */
  private reread(): void {
    if (this.resync) {
      this.resync.again = true; // events lost after the pending answers were written need a later read
      return;
    }
    const resync = { again: false };
    this.resync = resync;
    void this.options
      .reread()
      .catch((err: unknown) =>
        this.options.log.warn(`re-reading the MCU after lost events failed: ${(err as Error).message}`),
      )
      .finally(() => {
        this.resync = undefined;
        if (resync.again && this.options.linkUp()) {
          this.options.ledger.markStale();
          this.reread();
        }
      });
  }
}
