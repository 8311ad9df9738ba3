import {
  commandResultMessage,
  deviceTopic,
  diagnosticsMessage,
  header,
  presenceMessage,
  type CommandResultMessage,
  type DiagnosticsMessage,
  type PresenceMessage,
} from '@touchpoint/protocol';

/**
 * The messages the simulated devices send, built to the protocol schemas and
 * checked against them once, so a schema change breaks the benchmark loudly
 * instead of benchmarking rejections.
 */

const ID_LENGTH = 36; // a UUID, what real agents send

/**
 * A ~300-byte diagnostics snapshot whose message id is unique per call (the
 * broker deduplicates by id). The JSON is split around the id once; each
 * message is a concatenation, so building it costs the generator almost nothing.
 */
export class DiagnosticsTemplate {
  private readonly before: string;
  private readonly after: string;
  private seq = 0;
  readonly topic: Buffer;

  constructor(
    readonly deviceId: string,
    private readonly runTag: string,
  ) {
    const marker = 'X'.repeat(ID_LENGTH);
    const sample: DiagnosticsMessage = {
      ...header(),
      id: marker,
      deviceId,
      reason: 'periodic',
      mcu: {
        sensors: {
          machine_state: 'idle',
          water_tank_level: 55,
          bean_hopper_level: 71,
          boiler_temp: 92.5,
          scale_level: 12,
          drip_tray_full: false,
        },
        errors: ['E05'],
      },
      agent: { outboxDepth: 0, outboxDropped: 0, reconnects: 0, link: 'up', uptimeS: 3600 },
    };
    const json = JSON.stringify(diagnosticsMessage.parse(sample));
    const at = json.indexOf(marker);
    this.before = json.slice(0, at);
    this.after = json.slice(at + ID_LENGTH);
    this.topic = Buffer.from(deviceTopic(deviceId, 'diagnostics'));
  }

  next(): Buffer {
    const n = (this.seq++).toString(36);
    const id = `${this.runTag}-${this.deviceId}-${n}`.slice(-ID_LENGTH).padStart(ID_LENGTH, '0');
    return Buffer.from(this.before + id + this.after);
  }
}

export function presence(deviceId: string, state: PresenceMessage['state'], connectionId: string): string {
  return JSON.stringify(
    presenceMessage.parse({
      ...header(),
      deviceId,
      state,
      connectionId,
      model: 'coffee-machine',
      agentVersion: '0.1.0',
    }),
  );
}

export function commandResult(deviceId: string, commandId: string, status: CommandResultMessage['status']): string {
  const msg: CommandResultMessage = { ...header(), deviceId, commandId, status };
  return JSON.stringify(msg);
}

/** Validated once at startup; the hot path builds results the same way. */
export function assertPayloadsValid(deviceId: string): void {
  diagnosticsMessage.parse(JSON.parse(new DiagnosticsTemplate(deviceId, 'check').next().toString()));
  commandResultMessage.parse(JSON.parse(commandResult(deviceId, 'cmd-check-1', 'accepted')));
}

export function presenceTopic(deviceId: string): string {
  return deviceTopic(deviceId, 'presence');
}
