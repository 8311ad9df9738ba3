import type { EventGap, ActionOutcome as McuActionResult, McuEvent } from '@touchpoint/firmware-bridge';
import type { LinkState, McuInfo, SensorValue } from '@touchpoint/protocol';

/** The bridge's event and action-result shapes, so any MCU transport speaks the same events. */
export type { McuEvent, ActionOutcome as McuActionResult, EventGap as McuEventGap } from '@touchpoint/firmware-bridge';

/**
 * What the agent needs from the firmware bridge. FirmwareBridge from
 * @touchpoint/firmware-bridge satisfies it; tests and device makers with a
 * different MCU transport can pass anything that does.
 */
export interface McuBridge {
  readonly link: LinkState;
  /**
   * The active error codes as of the last byte received: the last error list read, with every later error event
   * applied. A diagnostics snapshot's list may be older than events already delivered; this one never is.
   */
  readonly activeErrors: readonly string[];
  open(): Promise<void>;
  close(): Promise<void>;
  getInfo(): Promise<McuInfo>;
  readSensors(): Promise<Record<string, SensorValue>>;
  readErrors(): Promise<string[]>;
  runAction(
    name: string,
    params: Record<string, unknown>,
    options?: { onProgress?: (progress: { percent: number; message?: string }) => void },
  ): Promise<McuActionResult>;
  on(event: 'event', listener: (event: McuEvent) => void): unknown;
  on(event: 'link', listener: (state: LinkState, reason?: string) => void): unknown;
  /** The MCU's event numbering skipped: events were lost, and the bridge re-reads errors and sensors. */
  on(event: 'gap', listener: (gap: EventGap) => void): unknown;
  /** Removes a listener added with `on` (the agent removes its own when the MCU link extension stops). */
  off(event: 'event', listener: (event: McuEvent) => void): unknown;
  off(event: 'link', listener: (state: LinkState, reason?: string) => void): unknown;
  off(event: 'gap', listener: (gap: EventGap) => void): unknown;
}
