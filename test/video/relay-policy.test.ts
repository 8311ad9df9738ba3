import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IceServerConfig } from '@touchpoint/protocol';
import { CHROMIUM } from '../touch-ui/harness.js';

/**
 * The peer connection every party builds (console, touchscreen, phone all use
 * PeerSession) asks Chromium for relay-only ICE when the call's servers
 * include TURN (issue 12, Low), and for all candidates otherwise.
 */
let browser: Browser;
let script: string;

beforeAll(async () => {
  const entry = fileURLToPath(new URL('../../protocol/src/webrtc/index.ts', import.meta.url));
  const result = await build({
    stdin: {
      contents: `import { PeerSession } from ${JSON.stringify(entry)}; window.PeerSession = PeerSession;`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  script = result.outputFiles[0]!.text;
  browser = await chromium.launch(CHROMIUM);
});

afterAll(async () => {
  await browser?.close();
});

async function policyOf(role: 'offerer' | 'answerer', iceServers: IceServerConfig[]): Promise<string | undefined> {
  const page = await browser.newPage();
  try {
    await page.setContent('<!doctype html><title>relay</title>');
    await page.addScriptTag({ content: script });
    return await page.evaluate(
      ([r, servers]) => {
        type Session = { peer: RTCPeerConnection; close(): void };
        const Ctor = (window as unknown as { PeerSession: new (o: unknown) => Session }).PeerSession;
        const session = new Ctor({ role: r, iceServers: servers, send: () => undefined });
        const policy = session.peer.getConfiguration().iceTransportPolicy;
        session.close();
        return policy;
      },
      [role, iceServers] as const,
    );
  } finally {
    await page.close();
  }
}

describe('ICE transport policy in Chromium', () => {
  const turn: IceServerConfig[] = [
    { urls: 'stun:127.0.0.1:3478' },
    { urls: ['turn:127.0.0.1:3478'], username: '1700000000:vs-1', credential: 'c3VwZXI=' },
  ];
  it('is relay on both sides of a call with TURN', async () => {
    expect(await policyOf('offerer', turn)).toBe('relay');
    expect(await policyOf('answerer', turn)).toBe('relay');
  });
  it('is all without TURN', async () => {
    expect(await policyOf('offerer', [{ urls: 'stun:127.0.0.1:3478' }])).toBe('all');
    expect(await policyOf('answerer', [])).toBe('all');
  });
});
