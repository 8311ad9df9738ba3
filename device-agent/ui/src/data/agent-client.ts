import type { UiLiveState } from '@touchpoint/protocol';
// The subpath: the package root would pull zod into the bundle (the UI imports only types from it).
import { backoffDelay } from '@touchpoint/protocol/backoff';
import { parseAgentMessage, type AgentMessage } from './agent-messages.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** A refused request: the agent's named error code and message. */
export class AgentRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentRequestError';
  }
}

export interface AgentClientOptions {
  /** ws://host:port/ws; defaults to this page's origin. */
  url?: string;
  /** WebSocket subprotocols: ours and the kiosk key (data/kiosk-key.ts); without the key the agent refuses the socket. */
  protocols?: string[];
  /** Long: confirming an action replies once the action has run. */
  requestTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

type Listener = (message: AgentMessage) => void;
interface Pending {
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The typed WebSocket client for the agent's loopback server: requests with
 * replies matched by id, pushed messages to listeners, reconnect with backoff.
 * Requests made while disconnected fail at once (the UI shows why); nothing is
 * silently queued.
 */
export class AgentClient {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private stopped = true;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private currentStatus: ConnectionStatus = 'closed';
  private readonly url: string;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: AgentClientOptions = {}) {
    this.url = options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 300_000;
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  close(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.socket?.close();
    this.socket = undefined;
    this.failPending('closed');
    this.setStatus('closed');
  }

  /** Listen to every pushed message; returns the unsubscribe function. */
  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  request<T = unknown>(type: string, fields: Record<string, unknown> = {}): Promise<T> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN)
      return Promise.reject(new AgentRequestError('LINK_DOWN', 'not connected to the device agent'));
    const id = `r${++this.seq}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AgentRequestError('TIMEOUT', `${type} got no reply`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ ...fields, id, type }));
    });
  }

  /** Live state from the hello, for controllers created after it. */
  lastState: UiLiveState | undefined;

  private open(): void {
    this.setStatus('connecting');
    const socket = new WebSocket(this.url, this.options.protocols ?? []);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.setStatus('open');
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data === 'string') this.onText(event.data);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.failPending('connection lost');
      if (this.stopped) return;
      this.setStatus('connecting');
      const delay = backoffDelay(
        this.attempt++,
        this.options.reconnectMinMs ?? 250,
        this.options.reconnectMaxMs ?? 5_000,
      );
      this.retry = setTimeout(() => this.open(), delay);
    });
  }

  private onText(text: string): void {
    const message = parseAgentMessage(text);
    if (!message) {
      console.warn('touch UI: unreadable message from the agent (SCHEMA_INVALID)');
      return;
    }
    if (message.type === 'reply') {
      const pending = this.pending.get(message.replyTo);
      if (!pending) return;
      this.pending.delete(message.replyTo);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.data);
      else pending.reject(new AgentRequestError(message.code, message.message));
      return;
    }
    if (message.type === 'hello') this.lastState = message.state;
    if (message.type === 'state') this.lastState = message.state;
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (err) {
        console.error('touch UI: message listener failed (INTERNAL)', err);
      }
    }
  }

  private failPending(reason: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new AgentRequestError('LINK_DOWN', reason));
      this.pending.delete(id);
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }
}
