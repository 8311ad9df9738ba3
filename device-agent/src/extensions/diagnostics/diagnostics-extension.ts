import {
  ErrorCode,
  header,
  sensorValue,
  type AgentHealth,
  type DiagnosticsMessage,
  type SensorValue,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import { ExtensionBase } from '../../extension-base.js';
import type { ExtensionContext } from '../../extension-context.js';
import type { Logger } from '../../logger.js';
import type { Reporter } from '../../outbox/reporter.js';
import type { McuLink } from '../mcu-link.js';
import { collectHostMetrics } from './host-metrics.js';

export type ExtraDiagnostics = () => Promise<Record<string, SensorValue>> | Record<string, SensorValue>;

export interface DiagnosticsOptions {
  deviceId: string;
  intervalMs: number;
  dataDir: string;
  mcu: McuLink;
  reporter: Reporter;
  health: () => AgentHealth;
  bus: EventBus<AgentEvents>;
  logger: Logger;
  /** Device-maker hook: extra key/values for every snapshot. */
  extra?: ExtraDiagnostics;
}

const MAX_EXTRA = 64;

/**
 * Periodic and on-demand diagnostics snapshots, and MCU error events the
 * moment they happen. With the serial link down the snapshot still goes out:
 * empty MCU sensors and `agent.link` saying why.
 */
export class DiagnosticsExtension extends ExtensionBase {
  readonly name = 'diagnostics';
  private running: Promise<DiagnosticsMessage | undefined> | undefined;
  private linkWasUp = false;

  constructor(private readonly options: DiagnosticsOptions) {
    super();
  }

  protected onStart(context: ExtensionContext): void {
    const { bus, reporter, logger } = this.options;
    this.linkWasUp = this.options.mcu.link === 'up';
    context.on(bus, 'mcu.event', (event) => {
      if (event.type === 'error.raised' || event.type === 'error.cleared') {
        reporter.event({ type: event.type, code: event.code });
        logger.info(`MCU ${event.type === 'error.raised' ? 'raised' : 'cleared'} error ${event.code}`);
      }
    });
    // Only up <-> not-up transitions become events: a port that is missing for a day must not fill the outbox.
    context.on(bus, 'mcu.link', ({ state, reason }) => {
      const up = state === 'up';
      if (up === this.linkWasUp) return;
      this.linkWasUp = up;
      reporter.event({ type: 'link', link: state, ...(reason ? { reason: reason.slice(0, 256) } : {}) });
    });
    // Sensor values refresh right after a fix (issue 16): a staff command that ran is followed by a snapshot, so the
    // console shows its effect at once instead of at the next periodic one. `diagnostics.request` already is one.
    const ran = new Set<string>();
    context.on(bus, 'command.accepted', ({ commandId, action }) => {
      if (action !== 'diagnostics.request') ran.add(commandId);
    });
    context.on(bus, 'command.result', ({ commandId, status }) => {
      if ((status === 'succeeded' || status === 'failed') && ran.delete(commandId)) void this.snapshot('command');
    });
    context.every(this.options.intervalMs, () => {
      if (this.running) {
        logger.debug('previous snapshot still running; skipping this tick');
        return;
      }
      void this.snapshot('periodic');
    });
  }

  /** Take a snapshot and commit it to the outbox. Never throws: failures are logged and yield undefined. */
  snapshot(reason: DiagnosticsMessage['reason']): Promise<DiagnosticsMessage | undefined> {
    const run = this.build(reason)
      .then((message) => {
        const stored = this.options.reporter.diagnostics(message);
        this.options.bus.emit('diagnostics.snapshot', stored);
        return stored;
      })
      .catch((err: unknown) => {
        this.options.logger.error('diagnostics snapshot failed', {
          code: ErrorCode.INTERNAL,
          error: err instanceof Error ? err.message : String(err),
        });
        return undefined;
      })
      .finally(() => {
        if (this.running === run) this.running = undefined;
      });
    this.running = run;
    return run;
  }

  /** Build a snapshot without queueing it (for a case the customer opens). */
  async build(reason: DiagnosticsMessage['reason']): Promise<DiagnosticsMessage> {
    const { deviceId, dataDir, mcu, health } = this.options;
    const [mcuPart, host, extra] = await Promise.all([this.readMcu(), collectHostMetrics(dataDir), this.readExtra()]);
    return {
      ...header(),
      deviceId,
      reason,
      mcu: mcuPart,
      host,
      agent: { ...health(), link: mcu.link },
      ...(extra ? { extra } : {}),
    };
  }

  private async readMcu(): Promise<DiagnosticsMessage['mcu']> {
    const { mcu, logger } = this.options;
    const info = mcu.mcuInfo;
    // Absent means none, as from agents before the counter existed.
    const base = { ...(info ? { info } : {}), ...(mcu.eventGaps > 0 ? { eventGaps: mcu.eventGaps } : {}) };
    if (mcu.link !== 'up') return { ...base, sensors: {}, errors: [] };
    try {
      const [sensors, errors] = await Promise.all([mcu.bridge.readSensors(), mcu.bridge.readErrors()]);
      return { ...base, sensors, errors: errors.slice(0, 64) };
    } catch (err) {
      logger.warn('could not read the MCU for diagnostics', {
        code: ErrorCode.MCU_ERROR,
        error: (err as Error).message,
      });
      return { ...base, sensors: {}, errors: [] };
    }
  }

  /** Hook output is checked like any input: bad keys or values are left out and logged, the snapshot still goes. */
  private async readExtra(): Promise<Record<string, SensorValue> | undefined> {
    const hook = this.options.extra;
    if (!hook) return undefined;
    try {
      const values = await hook();
      const clean: Record<string, SensorValue> = {};
      for (const [key, value] of Object.entries(values).slice(0, MAX_EXTRA)) {
        if (key.length <= 64 && sensorValue.safeParse(value).success) clean[key] = value;
        else
          this.options.logger.warn('extra diagnostics value left out', {
            code: ErrorCode.SCHEMA_INVALID,
            key: key.slice(0, 64),
          });
      }
      return clean;
    } catch (err) {
      this.options.logger.warn('extra diagnostics hook failed', {
        code: ErrorCode.INTERNAL,
        error: (err as Error).message,
      });
      return undefined;
    }
  }
}
