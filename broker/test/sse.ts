// Server-sent events read by tests: the live channel and the video call streams share this reader.

/** An SSE stream read raw: every byte kept (to search for secrets), events parsed, and a promise for its end. */
export interface SseStream {
  status: number;
  raw(): string;
  events: { id: string; data: Record<string, unknown> }[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  let raw = '';
  let ended = false;
  const events: SseStream['events'] = [];
  const done = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) return;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        buffer += text;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined)
            events.push({ id, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // aborted by the test
    }
  })().finally(() => {
    ended = true;
  });
  return {
    status: res.status,
    raw: () => raw,
    events,
    ended: done,
    isEnded: () => ended,
    close: () => controller.abort(),
  };
}
