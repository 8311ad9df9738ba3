import type { SensorValue } from '@touchpoint/protocol';

/** The outcome of one action run, as the device reports it. */
export interface ActionRunResult {
  ok: boolean;
  /** Why it failed, for the trace and the support case. */
  reason?: string;
}

/**
 * Everything the flow engine needs from the device. The agent implements it
 * over the firmware bridge; tests implement it with plain objects. The engine
 * never touches the bridge, the network or the clock itself.
 */
export interface HelpPort {
  readSensors(): Promise<Record<string, SensorValue>>;
  readErrors(): Promise<string[]>;
  /**
   * Runs an allow-listed action. Resolves once the device reports completion
   * (so a following `verify` sees the new state). `onProgress` takes 0-100.
   */
  runAction(
    name: string,
    params: Record<string, unknown>,
    onProgress: (percent: number) => void,
  ): Promise<ActionRunResult>;
}
