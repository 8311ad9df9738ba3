import {
  CHAT_IMAGE_MAX_BYTES,
  chatStaffMessage,
  decode,
  deviceTopic,
  ErrorCode,
  header,
  TouchpointError,
  uiChatAnswerRequest,
  uiChatImageRequest,
  uiChatReadRequest,
  uiChatSendRequest,
  uiChatTypingRequest,
  type ChatCustomerBody,
  type ChatTypingMessage,
} from '@touchpoint/protocol';
import type { AgentEvents } from '../../agent-events.js';
import type { EventBus } from '../../event-bus.js';
import { ExtensionBase } from '../../extension-base.js';
import type { ExtensionContext } from '../../extension-context.js';
import type { LocalServer } from '../../local-server/local-server.js';
import type { Logger } from '../../logger.js';
import type { MqttConnection } from '../../mqtt/connection.js';
import type { Reporter } from '../../outbox/reporter.js';
import { Conversation } from './conversation.js';

export interface ChatOptions {
  deviceId: string;
  bus: EventBus<AgentEvents>;
  connection: Pick<MqttConnection, 'subscribe' | 'publish' | 'connected'>;
  reporter: Pick<Reporter, 'chat'>;
  localServer: Pick<LocalServer, 'handle' | 'broadcast' | 'onClient'>;
  logger: Logger;
  now?: () => number;
}

/**
 * The live chat on the device (issue 17): the customer's messages, taps, images and read marks go into the
 * outbox (offline-safe, in order, once in the case), staff messages come on `chat/staff`, and the touchscreen
 * gets the whole conversation (`chat.state`) on every change. The chat belongs to the open case: the one the
 * customer opened, or the one the fleet's case status names; it ends when the case is resolved or closed.
 */
export class ChatExtension extends ExtensionBase {
  readonly name = 'chat';
  private readonly chat = new Conversation();
  private readonly now: () => number;
  /** Our outbox messages by id, to mark them delivered on the fleet's receipt. */
  private readonly mine = new Set<string>();
  private lastReadSent: string | undefined;
  private invalid = 0;

  constructor(private readonly options: ChatOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  /** Staff messages refused as invalid since start. */
  get invalidMessages(): number {
    return this.invalid;
  }

  protected onStart(context: ExtensionContext): void {
    const { bus, connection, deviceId, localServer } = this.options;
    context.on(bus, 'case.opened', ({ caseId }) => this.changed(this.chat.open(caseId)));
    context.on(bus, 'case.status', ({ caseId, status }) => {
      if (status === 'resolved' || status === 'closed') return this.changed(this.chat.close(caseId));
      // After a restart the fleet names the open case again on the device's birth (issue 15).
      this.changed(this.chat.open(caseId));
    });
    context.on(bus, 'report.delivered', ({ kind, messageId }) => {
      if (kind !== 'chat' || !this.mine.delete(messageId)) return;
      this.changed(this.chat.delivered(messageId));
    });
    context.subscribe(connection, deviceTopic(deviceId, 'chatStaff'), 1, (_topic: string, payload: Buffer) => {
      const m = decode(chatStaffMessage, payload);
      if (!m.ok) {
        this.invalid += 1;
        this.options.logger.warn('chat message refused', { code: m.code, reason: m.reason });
        return;
      }
      this.changed(this.chat.staff(m.value));
    });
    context.add(
      localServer.handle('chat.send', uiChatSendRequest, (r) => this.write({ kind: 'text', text: r.text })),
      localServer.handle('chat.answer', uiChatAnswerRequest, (r) => {
        const refused = this.chat.canAnswer(r.replyTo, r.choice, this.now());
        if (refused) throw new TouchpointError(ErrorCode.CONFLICT, refused);
        return this.write({ kind: 'answer', replyTo: r.replyTo, choice: r.choice });
      }),
      localServer.handle('chat.image', uiChatImageRequest, (r) => {
        // The touchscreen asked the customer before this request (`consent: true`); the size is checked here too.
        const bytes = Buffer.from(r.image.data, 'base64').length;
        if (bytes > CHAT_IMAGE_MAX_BYTES)
          throw new TouchpointError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            `the image is ${bytes} bytes, over the ${CHAT_IMAGE_MAX_BYTES}-byte limit`,
          );
        return this.write({ kind: 'image', mime: r.image.mime, data: r.image.data, consentAt: this.now() });
      }),
      localServer.handle('chat.typing', uiChatTypingRequest, (r) => this.typing(r.typing)),
      localServer.handle('chat.read', uiChatReadRequest, () => this.read()),
      localServer.onClient((client) => client.send(this.chat.state)),
    );
  }

  /** Puts one customer message into the outbox; refused while no case is open. */
  private write(body: ChatCustomerBody): { id: string } {
    const caseId = this.chat.openCase;
    if (!caseId) throw new TouchpointError(ErrorCode.CONFLICT, 'there is no open case to chat in');
    const now = this.now();
    const message = this.options.reporter.chat({ ...header(now), deviceId: this.options.deviceId, caseId, body });
    if (body.kind !== 'read') this.mine.add(message.id);
    this.chat.customer(message.id, now, body);
    this.changed(true);
    return { id: message.id };
  }

  /** The customer has the chat open: the newest staff message is read (once). */
  private read(): { marked: boolean } {
    const upTo = this.chat.lastStaffId;
    if (!upTo || upTo === this.lastReadSent) return { marked: false };
    this.lastReadSent = upTo;
    this.write({ kind: 'read', upTo });
    return { marked: true };
  }

  /** Typing is live only: sent when connected, never queued (a late "typing" would mislead). */
  private typing(typing: boolean): { sent: boolean } {
    const { connection, deviceId } = this.options;
    const caseId = this.chat.openCase;
    if (!caseId || !connection.connected) return { sent: false };
    const message: ChatTypingMessage = { ...header(this.now()), deviceId, caseId, typing };
    connection
      .publish(deviceTopic(deviceId, 'chatTyping'), JSON.stringify(message), { qos: 0 })
      .catch((err: unknown) => this.options.logger.debug('typing not sent', { reason: (err as Error).message }));
    return { sent: true };
  }

  private changed(changed: boolean): void {
    if (changed) this.options.localServer.broadcast(this.chat.state);
  }
}
