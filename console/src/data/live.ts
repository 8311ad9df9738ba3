import { backoffDelay, liveEvent, type LiveEvent } from '@touchpoint/protocol';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** The reconnect delay after the server refused the stream: from 1 s, doubling up to 30 s. */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

export interface LiveHandlers {
  onEvent(event: LiveEvent): void;
  onState(state: LiveState): void;
  /** Events may have been missed (first connection after a gap, or a broker restart): reload what is shown. */
  onResync(): void;
  /** The stream was refused (session ended): the caller decides (e.g. show login). */
  onRefused?(): void;
}

export interface LiveSubscription {
  close(): void;
}

/**
 * Subscribes to the console's server-sent event stream. EventSource resumes
 * by itself with Last-Event-ID after a network drop; when the browser gives
 * up (the server answered with an error), this reconnects with backoff and
 * checks the session. Every event is validated with the protocol schema.
 */
export function openLive(
  device: string | null,
  handlers: LiveHandlers,
  eventSourceImpl: typeof EventSource = EventSource,
): LiveSubscription {
  let source: EventSource | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let everConnected = false;
  const url = device ? `/api/live?device=${encodeURIComponent(device)}` : '/api/live';

  const connect = () => {
    handlers.onState(everConnected ? 'reconnecting' : 'connecting');
    const es = new eventSourceImpl(url, { withCredentials: true });
    source = es;
    es.onmessage = (msg: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(msg.data);
      } catch {
        return;
      }
      const parsed = liveEvent.safeParse(data);
      if (!parsed.success) return;
      if (parsed.data.type === 'hello') {
        attempt = 0;
        handlers.onState('live');
        if (everConnected && !parsed.data.resumed) handlers.onResync();
        everConnected = true;
        return;
      }
      if (parsed.data.type === 'resync') {
        handlers.onResync();
        return;
      }
      handlers.onEvent(parsed.data);
    };
    es.onerror = () => {
      if (closed) return;
      if (es.readyState === eventSourceImpl.CONNECTING) {
        handlers.onState('reconnecting');
        return;
      }
      // CLOSED: the browser will not retry (HTTP error); we do, after checking the session.
      es.close();
      handlers.onState('reconnecting');
      const delay = backoffDelay(attempt++, RECONNECT_MIN_MS, RECONNECT_MAX_MS);
      timer = setTimeout(() => {
        void fetch('/api/me', { credentials: 'same-origin' }).then(
          (res) => {
            if (closed) return;
            if (res.status === 401) {
              handlers.onState('closed');
              handlers.onRefused?.();
              return;
            }
            connect();
          },
          () => {
            if (!closed) connect();
          },
        );
      }, delay);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      source?.close();
      handlers.onState('closed');
    },
  };
}
