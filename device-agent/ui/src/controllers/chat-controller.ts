import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UiChatStateMessage } from '@touchpoint/protocol';
import type { AgentClient } from '../data/agent-client.js';

/** After this long without a keystroke the customer counts as no longer typing. */
const TYPING_IDLE_MS = 4_000;

/**
 * The live chat on the touchscreen (issue 17): the agent pushes the open case's whole conversation
 * (`chat.state`); the customer's text, taps, photos and read marks go to the agent, which queues them in the
 * outbox (so they are kept while the device is offline). Typing is sent once when it starts and once when it stops.
 */
export class ChatController implements ReactiveController {
  state: UiChatStateMessage | null = null;
  pending = false;
  error: string | undefined;
  /** The chat is on screen: staff messages that arrive are read at once. */
  visible = false;
  private off: (() => void) | undefined;
  private typingSince: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: AgentClient,
  ) {
    host.addController(this);
  }

  /** The case the chat belongs to; null while none is open (no chat is offered). */
  get caseId(): string | null {
    return this.state?.caseId ?? null;
  }

  /** Staff messages newer than the customer's last look at the chat. */
  unread(seen: number): number {
    return (this.state?.entries ?? []).filter((e) => e.from === 'staff' && e.at > seen).length;
  }

  hostConnected(): void {
    this.off = this.client.onMessage((message) => {
      if (message.type !== 'chat.state') return;
      this.state = message;
      if (this.visible) this.read();
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
    clearTimeout(this.typingSince);
  }

  send(text: string): Promise<boolean> {
    this.stopTyping();
    return this.run('chat.send', { text });
  }

  answer(replyTo: string, choice: string): Promise<boolean> {
    return this.run('chat.answer', { replyTo, choice });
  }

  /** A photo the customer agreed to send (the screen asked first). */
  image(mime: string, data: string): Promise<boolean> {
    return this.run('chat.image', { image: { mime, data }, consent: true });
  }

  /** The chat is on screen: staff see their messages read (the agent sends each read mark once). */
  read(): void {
    const entries = this.state?.entries ?? [];
    if (!entries.some((e) => e.from === 'staff')) return;
    this.client.request('chat.read').catch((err: unknown) => console.warn('chat.read refused', err));
  }

  /** A keystroke: "typing" once, "stopped" after a pause. */
  typed(): void {
    if (this.typingSince === undefined) this.signal(true);
    clearTimeout(this.typingSince);
    this.typingSince = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    if (this.typingSince === undefined) return;
    clearTimeout(this.typingSince);
    this.typingSince = undefined;
    this.signal(false);
  }

  private signal(typing: boolean): void {
    this.client.request('chat.typing', { typing }).catch((err: unknown) => console.warn('chat.typing refused', err));
  }

  private async run(type: string, fields: Record<string, unknown>): Promise<boolean> {
    this.pending = true;
    this.error = undefined;
    this.host.requestUpdate();
    try {
      await this.client.request(type, fields);
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    } finally {
      this.pending = false;
      this.host.requestUpdate();
    }
  }
}
