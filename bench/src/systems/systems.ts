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
  /** The Node brokers' process (Touchpoint, bare aedes), for GC and window profiles. */
  node?: Child;
}

let profileDir: string | undefined;

/** `--profile DIR`: CPU profiles of the Node brokers during each measurement window go to DIR. */
export function setProfileDir(dir: string | undefined): void {
  profileDir = dir;
}

function nodeArgs(): string[] {
  return ['--expose-gc'];
}

/**
 * With `--profile DIR`, profiles the broker (Node brokers only) while `body`
 * runs, into DIR/<label>-<system>-<n>.cpuprofile. Without it, just runs `body`.
 */
let profileSeq = 0;
export async function profiled<T>(sys: RunningSystem, label: string, body: () => Promise<T>): Promise<T> {
  const child = sys.node;
  if (!profileDir || !child) return body();
  await child.call('profileStart');
  try {
    return await body();
  } finally {
    const path = join(profileDir, `${label}-${sys.name}-${++profileSeq}.cpuprofile`);
    await child.call('profileStop', { path });
  }
}

const require = createRequire(import.meta.url);
// aedes' exports map hides package.json; read it next to the resolved entry point.
export const AEDES_VERSION = (
  JSON.parse(readFileSync(join(dirname(require.resolve('aedes')), 'package.json'), 'utf8')) as { version: string }
).version;
export const MOSQUITTO_VERSION = mosquittoVersion();

export function systemLabel(name: SystemName): string {
  switch (name) {
    case 'touchpoint':
      return 'touchpoint';
    case 'aedes':
      return `bare aedes ${AEDES_VERSION}`;
    case 'mosquitto':
      return `mosquitto ${MOSQUITTO_VERSION ?? '(missing)'}`;
  }
}

const ALL: readonly SystemName[] = ['touchpoint', 'aedes', 'mosquitto'];
let only: readonly SystemName[] | undefined;

export function isSystemName(name: string): name is SystemName {
  return (ALL as readonly string[]).includes(name);
}

/** `--systems`: measure only these (for investigating one system; ratios need at least two). */
export function setSystems(names: readonly SystemName[] | undefined): void {
  only = names;
}

/** The systems this machine can run, in a fixed order (Touchpoint first), and why any are skipped. */
export function availableSystems(): { systems: SystemName[]; skipped: string[] } {
  const skipped: string[] = [];
  let systems = ALL.filter((s) => !only || only.includes(s));
  if (!MOSQUITTO_VERSION && systems.includes('mosquitto')) {
    systems = systems.filter((s) => s !== 'mosquitto');
    skipped.push('mosquitto: /usr/sbin/mosquitto is not installed (apt-get install mosquitto); its column is skipped');
  }
  return { systems, skipped };
}

const unauthenticated = (prefix: string, count: number): DeviceCredential[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${String(i).padStart(5, '0')}` }));

export async function startSystem(name: SystemName): Promise<RunningSystem> {
  const label = systemLabel(name);
  switch (name) {
    case 'touchpoint': {
      const child = await Child.spawn<TouchpointInfo>(
        new URL('./touchpoint-broker-child.ts', import.meta.url),
        'touchpoint-broker',
        { nodeArgs: nodeArgs() },
      );
      return {
        name,
        label,
        pid: child.pid,
        port: child.info.port,
        touchpoint: child,
        node: child,
        devices: (prefix, count) =>
          child.call<DeviceCredential[]>('provision', { prefix, count, model: 'coffee-machine' }),
        gc: () => child.call('gc'),
        stop: () => child.stop(),
      };
    }
    case 'aedes': {
      const child = await Child.spawn<BaselineInfo>(
        new URL('./aedes-broker-child.ts', import.meta.url),
        'aedes-broker',
        { nodeArgs: nodeArgs() },
      );
      return {
        name,
        label,
        pid: child.pid,
        port: child.info.port,
        node: child,
        devices: (prefix, count) => Promise.resolve(unauthenticated(prefix, count)),
        gc: () => child.call('gc'),
        stop: () => child.stop(),
      };
    }
    case 'mosquitto': {
      const m = await startMosquitto();
      return {
        name,
        label,
        pid: m.pid,
        port: m.port,
        devices: (prefix, count) => Promise.resolve(unauthenticated(prefix, count)),
        gc: () => Promise.resolve(),
        stop: () => m.stop(),
      };
    }
  }
}
