import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import type { Agent } from '@touchpoint/device-agent';
import { loadModel } from '@touchpoint/models';
import { COFFEE_DIR, startVirtualDevice } from '../helpers/virtual-device.js';

export interface VideoDevice {
  deviceId: string;
  token: string;
  agent: Agent;
  uiUrl: string;
  /** What the kiosk opens: uiUrl with the per-boot kiosk secret in the fragment. */
  kioskUrl: string;
}

export interface VideoStack {
  broker: RunningBroker;
  /** Has a camera (profile capabilities.camera). */
  camera: VideoDevice;
  /** Has none: the customer continues on the phone. */
  noCamera: VideoDevice;
  brokerUrl: string;
  stop(): Promise<void>;
}

/** A broker with a short ring timeout and two coffee machines (one with a camera), each with a virtual MCU and its agent. */
export async function startVideoStack(ringTimeoutMs: number): Promise<VideoStack> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-video-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const broker = await startBroker({
      dataDir: join(dir, 'broker'),
      mqttPort: 0,
      httpPort: 0,
      log: 'silent',
      video: { ringTimeoutMs },
    });
    cleanups.push(() => broker.close());
    // A model directory whose profile says the touchscreen has a camera.
    const cameraModel = join(dir, 'coffee-with-camera');
    await cp(COFFEE_DIR, cameraModel, { recursive: true });
    const { profile, profileFile } = loadModel(cameraModel, { flows: false, simulator: false });
    if (!profile) throw new Error(`the coffee machine's profile did not load from ${profileFile}`);
    await writeFile(
      profileFile,
      JSON.stringify({ ...profile, capabilities: { ...profile.capabilities, camera: true } }),
    );

    const device = async (deviceId: string, modelDir: string): Promise<VideoDevice> => {
      const d = await startVirtualDevice(broker, {
        deviceId,
        modelDir,
        dataDir: join(dir, deviceId),
        pty: false,
        speed: 1,
      });
      cleanups.push(() => d.stop());
      return { deviceId, token: d.token, agent: d.agent, uiUrl: d.uiUrl, kioskUrl: d.kioskUrl };
    };
    const camera = await device('cm-video-cam', cameraModel);
    const noCamera = await device('cm-video-nocam', COFFEE_DIR);
    return { broker, camera, noCamera, brokerUrl: `http://127.0.0.1:${broker.httpPort}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The console test page's script: the real call panel, bundled like the console. */
export async function consoleTestBundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./console-entry.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Counts RTCPeerConnection constructions and keeps them for getStats (installed before any page script). */
export const COUNT_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
})();`;
