/** A server-sent event stream read from Node (the console's live channel), with its events parsed as they come. */
export interface LiveStream {
  status: number;
  events: Record<string, unknown>[];
  /** Resolves when the server ends the stream (or the test closes it). */
  ended: Promise<void>;
  close(): void;
}

export async function openLiveStream(url: string, headers: Record<string, string>): Promise<LiveStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: Record<string, unknown>[] = [];
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          if (data !== undefined) events.push(JSON.parse(data) as Record<string, unknown>);
        }
      }
    } catch {
      // aborted by close(), or the server went away
    }
  })();
  return { status: res.status, events, ended, close: () => controller.abort() };
}
