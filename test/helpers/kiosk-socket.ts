import WebSocket from 'ws';
import { kioskProtocols, kioskSecretOf } from '@touchpoint/device-agent';

/** A message the agent pushed to the touchscreen (not a reply). */
export type KioskPush = { type: string } & Record<string, unknown>;

export interface KioskSocket {
  /** Request/reply by id, as the touchscreen speaks it; rejects with the agent's message when refused. */
  request(type: string, body?: object): Promise<unknown>;
  /** Every message the agent pushed so far, in order. */
  readonly pushed: readonly KioskPush[];
  close(): void;
}

/** The kiosk's WebSocket to a device's touch UI server, with the per-boot kiosk secret from its URL. */
export async function openKiosk(uiUrl: string, kioskUrl: string): Promise<KioskSocket> {
  const ws = new WebSocket(`${uiUrl.replace('http', 'ws')}/ws`, kioskProtocols(kioskSecretOf(kioskUrl)!));
  const waiting = new Map<string, (m: { ok: boolean; data?: unknown; message?: string }) => void>();
  const pushed: KioskPush[] = [];
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { type: string; replyTo?: string; ok: boolean };
    if (m.type === 'reply' && m.replyTo) waiting.get(m.replyTo)?.(m);
    else pushed.push(m as unknown as KioskPush);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let n = 0;
  return {
    request(type, body = {}) {
      const id = `r${++n}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${type} within 10 s`)), 10_000);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          if (m.ok) resolve(m.data);
          else reject(new Error(`${type} refused: ${m.message}`));
        });
        ws.send(JSON.stringify({ id, type, ...body }));
      });
    },
    pushed,
    close: () => ws.close(),
  };
}
