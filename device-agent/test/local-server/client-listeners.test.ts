import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { UiClient } from '../../src/local-server/local-server.js';
import { kioskProtocols } from '../../src/local-server/kiosk-key.js';
import { KIOSK_SECRET, startLocalServer, type ServerUnderTest } from './harness.js';

// Issue 14: the UI client listeners go through runtime's SafeEventEmitter, not a hand-kept catch loop.

let ui: ServerUnderTest | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

/** Resolves with the next value `register` reports, or fails naming what did not happen. */
function next<T>(what: string, register: (report: (value: T) => void) => void, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)), timeoutMs);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('touchscreen server: listeners of new UIs', () => {
  it('greets each UI through every listener; one that throws is logged and the rest still run; an unsubscribed one is not called', async () => {
    ui = await startLocalServer();
    const server = ui.server;
    const calls: string[] = [];
    server.onClient(() => void calls.push('first'));
    server.onClient(() => {
      throw new Error('greeting failed');
    });
    const off = server.onClient(() => void calls.push('removed'));
    off();
    off(); // a second call removes nothing else
    const last = next<UiClient>('the last listener', (report) =>
      server.onClient((client) => {
        calls.push('last');
        report(client);
      }),
    );

    const ws = new WebSocket(`${ui.url.replace('http', 'ws')}/ws`, kioskProtocols(KIOSK_SECRET));
    const hello = next<{ type: string }>('the hello', (report) =>
      ws.once('message', (data: Buffer) => report(JSON.parse(data.toString()) as { type: string })),
    );
    try {
      await last;
      expect(calls).toEqual(['first', 'last']);
      expect(await hello).toMatchObject({ type: 'hello' });
      expect(ui.logs.filter((l) => l.message === 'UI client listener failed')).toEqual([
        {
          level: 'error',
          message: 'UI client listener failed',
          fields: { code: 'INTERNAL', error: 'greeting failed' },
        },
      ]);
      // The UI stays connected and is answered after the failed listener.
      ws.send(JSON.stringify({ type: 'agent.ping', id: 'p1' }));
      const reply = await next<{ type: string; replyTo?: string; ok?: boolean }>('the ping reply', (report) =>
        ws.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString()) as { type: string; replyTo?: string; ok?: boolean };
          if (message.type === 'reply' && message.replyTo === 'p1') report(message);
        }),
      );
      expect(reply).toMatchObject({ type: 'reply', replyTo: 'p1', ok: true });
    } finally {
      ws.close();
    }
  });
});
