import { WebSocket } from 'ws';
import { newId } from '@touchpoint/protocol';
import type { Agent } from '../../src/agent.js';
import { kioskProtocols, kioskSecretOf } from '../../src/local-server/kiosk-key.js';
import { waitFor } from './fixtures.js';

export type UiMessage = { type: string } & Record<string, unknown>;

export interface UiSocket {
  ws: WebSocket;
  /** Every message the agent pushed or replied, in order. */
  messages: UiMessage[];
  /** Sends a request `{ id, ...body }` and resolves with its `reply`. */
  request(body: Record<string, unknown>): Promise<UiMessage>;
  close(): void;
}

/**
 * The touch UI's socket to a running agent, as the kiosk opens it (the per-boot
 * secret as subprotocol); resolves once the agent said hello.
 */
export async function connectUi(agent: Agent): Promise<UiSocket> {
  const server = agent.services.localServer;
  if (!server?.url || !server.kioskUrl) throw new Error('the agent runs no touch UI server');
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, kioskProtocols(kioskSecretOf(server.kioskUrl)!));
  const messages: UiMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as UiMessage));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await waitFor(() => messages.some((m) => m.type === 'hello'), 'hello');
  return {
    ws,
    messages,
    async request(body) {
      const id = newId();
      ws.send(JSON.stringify({ id, ...body }));
      return waitFor(
        () => messages.find((m) => m.type === 'reply' && m.replyTo === id),
        `reply to ${String(body.type)}`,
      );
    },
    close: () => ws.close(),
  };
}
