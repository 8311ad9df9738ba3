import type { z } from 'zod';
import {
  bundleReplyMessage,
  caseOpenMessage,
  chatCustomerMessage,
  commandResultMessage,
  describeIssues,
  deviceEventMessage,
  deviceTopic,
  diagnosticsMessage,
  ErrorCode,
  header,
  TouchpointError,
  type BundleReplyMessage,
  type CaseOpenMessage,
  type ChatCustomerMessage,
  type CommandResultMessage,
  type DeviceEvent,
  type DeviceEventMessage,
  type DeviceTopicKind,
  type DiagnosticsMessage,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../agent-events.js';
import type { EventBus } from '../event-bus.js';
import type { Outbox, ReportKind } from './outbox.js';

type Header = 'v' | 'id' | 'ts' | 'deviceId';
export type CommandResultInput = Omit<CommandResultMessage, Header>;
export type CaseInput = Omit<CaseOpenMessage, Header>;

/**
 * The only way a report leaves the agent: stamp the header, validate against
 * the protocol schema, commit to the outbox. A report that fails its schema is
 * a bug in the caller and throws SCHEMA_INVALID; it never reaches the wire.
 */
export class Reporter {
  constructor(
    private readonly outbox: Outbox,
    private readonly deviceId: string,
    private readonly bus: EventBus<AgentEvents>,
  ) {}

  diagnostics(message: DiagnosticsMessage): DiagnosticsMessage {
    return this.put('diagnostics', 'diagnostics', diagnosticsMessage, message);
  }

  event(event: DeviceEvent, now: number = Date.now()): DeviceEventMessage {
    const message = this.put('event', 'events', deviceEventMessage, { ...header(now), deviceId: this.deviceId, event });
    // Support bundles summarise recent help sessions from these (issue 17).
    this.bus.emit('event.reported', message);
    return message;
  }

  result(result: CommandResultInput, now: number = Date.now()): CommandResultMessage {
    const message = this.put('result', 'commandResult', commandResultMessage, {
      ...header(now),
      deviceId: this.deviceId,
      ...result,
    });
    this.bus.emit('command.result', message);
    return message;
  }

  case(input: CaseInput, now: number = Date.now()): CaseOpenMessage {
    return this.put('case', 'caseOpen', caseOpenMessage, { ...header(now), deviceId: this.deviceId, ...input });
  }

  /** The customer's answer to a support bundle request (issue 17); only after their tap when it carries a bundle. */
  bundle(reply: BundleReplyMessage): BundleReplyMessage {
    return this.put('bundle', 'bundle', bundleReplyMessage, reply);
  }

  /** A customer chat message on the open case (issue 17): in order with every other report, once in the case. */
  chat(message: ChatCustomerMessage): ChatCustomerMessage {
    return this.put('chat', 'chat', chatCustomerMessage, message);
  }

  private put<T extends { id: string }>(kind: ReportKind, topic: DeviceTopicKind, schema: z.ZodType<T>, value: T): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new TouchpointError(
        ErrorCode.SCHEMA_INVALID,
        `${kind} report does not match its schema: ${describeIssues(parsed.error)}`,
      );
    }
    const seq = this.outbox.enqueue(
      kind,
      deviceTopic(this.deviceId, topic),
      parsed.data.id,
      JSON.stringify(parsed.data),
    );
    this.bus.emit('report.queued', { kind, messageId: parsed.data.id, seq });
    return parsed.data;
  }
}
