import type { LinkState, McuInfo, SensorValue } from '@touchpoint/protocol';

/**
 * What the agent needs from the firmware bridge. FirmwareBridge from
 * @touchpoint/firmware-bridge satisfies it; tests and device makers with a
 * different MCU transport can pass anything that does.
 */
export type McuEvent =
  | { type: 'error.raised'; code: string }
  | { type: 'error.cleared'; code: string }
  | { type: 'progress'; action: string; percent: number; message?: string }
  | { type: 'action.done'; action: string; ok: boolean; reason?: string; output?: Record<string, unknown> }
  | { type: 'state'; sensors: Record<string, SensorValue> };

export interface McuActionResult {
  ok: boolean;
  reason?: string;
  output?: Record<string, unknown>;
}

export interface McuBridge {
  readonly link: LinkState;
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
}
