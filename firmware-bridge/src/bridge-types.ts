import type { BindingInterface } from '@serialport/bindings-cpp';
import type { DeviceProfile, LinkState, Logger, McuInfo, SensorValue } from '@touchpoint/protocol';
import type { McuEvent } from './commands/events.js';
import type { Frame } from './frame/frame.js';

// The bridge's public shape: its options, what it answers and what it counts (created by createBridge, bridge.ts).

/** What the bridge logs with: a protocol Logger, or any object with these three methods. */
export type BridgeLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface BridgeOptions {
  path: string;
  /** Default 115200. */
  baudRate?: number;
  profile: DeviceProfile;
  binding?: BindingInterface;
  /** Per-attempt request timeout, default 500 ms. */
  requestTimeoutMs?: number;
  /** Retries after a timeout, default 2. */
  retries?: number;
  /** Requests on the wire at once, default 4. */
  maxInFlight?: number;
  /** Reopen backoff after an unplug (defaults 250 ms doubling to 5000 ms); pollIntervalMs: device path check (500 ms). */
  reopen?: { initialDelayMs?: number; maxDelayMs?: number; pollIntervalMs?: number };
  /** runAction waits estimatedSeconds * this factor (plus the request budget) for action.done; default 2. */
  actionTimeoutFactor?: number;
  /** Default: warnings and errors to stderr (the runtime's process logger). */
  logger?: BridgeLogger;
}

export interface ActionOutcome {
  ok: boolean;
  reason?: string;
  output?: Record<string, unknown>;
}

export interface BridgeStats {
  framesIn: number;
  framesOut: number;
  framingErrors: number;
  timeouts: number;
  retries: number;
  reopenCount: number;
  unexpectedSeq: number;
  badEvents: number;
  /** Frames that checked out although the host saw a pause inside them (a stalled host; issue 13). */
  pausedFrames: number;
  /** Gaps in the MCU's event numbering, and how many events they skipped (docs/serial-protocol.md §4.1). */
  eventGaps: number;
  eventsMissed: number;
  /** error.raised / error.cleared events the bridge emitted because a READ_ERRORS showed lost ones. */
  errorCorrections: number;
}

/** Emitted when the MCU's event numbering skips: `missed` events before the one with `seq` never arrived. */
export interface EventGap {
  missed: number;
  seq: number;
  /** Gaps on this bridge so far, this one included. */
  gaps: number;
}

export interface FirmwareBridge {
  readonly link: LinkState;
  /** The active error codes as of the last byte parsed (the last error list read, with later events applied). */
  readonly activeErrors: readonly string[];
  readonly stats: Readonly<BridgeStats>;
  open(): Promise<void>;
  close(): Promise<void>;
  getInfo(): Promise<McuInfo>;
  readSensors(): Promise<Record<string, SensorValue>>;
  readErrors(): Promise<string[]>;
  runAction(
    name: string,
    params: Record<string, unknown>,
    opts?: { onProgress?: (e: { percent: number; message?: string }) => void },
  ): Promise<ActionOutcome>;
  /** Sends PING with an echo body; used by tools and benchmarks. */
  ping(payload?: Uint8Array): Promise<Uint8Array>;
  on(event: 'event', listener: (e: McuEvent) => void): this;
  on(event: 'link', listener: (state: LinkState, reason?: string) => void): this;
  on(event: 'frame', listener: (direction: 'in' | 'out', frame: Frame) => void): this;
  on(event: 'gap', listener: (gap: EventGap) => void): this;
  off(event: 'event', listener: (e: McuEvent) => void): this;
  off(event: 'link', listener: (state: LinkState, reason?: string) => void): this;
  off(event: 'frame', listener: (direction: 'in' | 'out', frame: Frame) => void): this;
  off(event: 'gap', listener: (gap: EventGap) => void): this;
}
