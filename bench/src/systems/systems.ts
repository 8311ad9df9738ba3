import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Child } from '../ipc.js';
import type { DeviceCredential } from '../load/loadgen-protocol.js';
import { mosquittoVersion, startMosquitto } from './mosquitto.js';
import type { BaselineInfo, TouchpointInfo } from './system-protocol.js';

export type SystemName = 'touchpoint' | 'aedes' | 'mosquitto';

/** One broker under test, running in its own process. */
export interface RunningSystem {
  name: SystemName;
  label: string;
  pid: number;
  port: number;
  /** Device credentials: Touchpoint provisions real ones; the baselines take any client id without auth. */
  devices(prefix: string, count: number): Promise<DeviceCredential[]>;
  /** Asks a Node broker to collect garbage before a memory reading (no-op for mosquitto). */
  gc(): Promise<void>;
  stop(): Promise<void>;
  /** Touchpoint only: the broker process, for fleet-side calls. */
  touchpoint?: Child<TouchpointInfo>;
}

let profileDir: string | undefined;

/** `--profile DIR`: the Node brokers run with --cpu-prof and write their profiles to DIR on exit. */
export function setProfileDir(dir: string | undefined): void {
  profileDir = dir;
}

function nodeArgs(name: string): string[] {
  const args = ['--expose-gc'];
  // One directory per system; Node names each thread's profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
  // (thread 0 is the main thread; tsx's loader thread writes its own, mostly idle, profile).
  if (profileDir) args.push('--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`);
  return args;
}

const require = createRequire(import.meta.url);
// aedes' exports map hides package.json; read it next to the resolved entry point.
export const AEDES_VERSION = (JSON.parse(readFileSync(join(dirname(require.resolve('aedes')), 'package.json'), 'utf8')) as { version: string }).version;
export const MOSQUITTO_VERSION = mosquittoVersion();

export function systemLabel(name: SystemName): string {
  switch (name) {
    case 'touchpoint': return 'touchpoint';
    case 'aedes': return `bare aedes ${AEDES_VERSION}`;
    case 'mosquitto': return `mosquitto ${MOSQUITTO_VERSION ?? '(missing)'}`;
  }
}

/** The systems this machine can run, and why any are skipped. */
export function availableSystems(): { systems: SystemName[]; skipped: string[] } {
  if (MOSQUITTO_VERSION) return { systems: ['touchpoint', 'aedes', 'mosquitto'], skipped: [] };
  return { systems: ['touchpoint', 'aedes'], skipped: ['mosquitto: /usr/sbin/mosquitto is not installed (apt-get install mosquitto); its column is skipped'] };
}

const unauthenticated = (prefix: string, count: number): DeviceCredential[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${String(i).padStart(5, '0')}` }));

export async function startSystem(name: SystemName): Promise<RunningSystem> {
  const label = systemLabel(name);
  switch (name) {
    case 'touchpoint': {
      const child = await Child.spawn<TouchpointInfo>(new URL('./touchpoint-broker-child.ts', import.meta.url), 'touchpoint-broker', { nodeArgs: nodeArgs('touchpoint') });
      return {
        name, label, pid: child.pid, port: child.info.port, touchpoint: child,
        devices: (prefix, count) => child.call<DeviceCredential[]>('provision', { prefix, count, model: 'coffee-machine' }),
        gc: () => child.call('gc'),
        stop: () => child.stop(),
      };
    }
    case 'aedes': {
      const child = await Child.spawn<BaselineInfo>(new URL('./aedes-broker-child.ts', import.meta.url), 'aedes-broker', { nodeArgs: nodeArgs('aedes') });
      return {
        name, label, pid: child.pid, port: child.info.port,
        devices: (prefix, count) => Promise.resolve(unauthenticated(prefix, count)),
        gc: () => child.call('gc'),
        stop: () => child.stop(),
      };
    }
    case 'mosquitto': {
      const m = await startMosquitto();
      return {
        name, label, pid: m.pid, port: m.port,
        devices: (prefix, count) => Promise.resolve(unauthenticated(prefix, count)),
        gc: () => Promise.resolve(),
        stop: () => m.stop(),
      };
    }
  }
}
