import type { BindingInterface } from '@serialport/bindings-cpp';
import type { DeviceProfile } from '@touchpoint/protocol';
import type { FaultConfig, SimConfig } from './config.js';
import { runControl } from './control.js';
import { openPtyPair, type PtyPair } from './pty.js';
import { SerialWire } from './serial-wire.js';
import { createSimBinding } from './sim-binding.js';
import { VirtualMcu } from './virtual-mcu.js';

export interface StartVirtualMcuOptions {
  profile: DeviceProfile;
  config: SimConfig;
  faults?: Partial<FaultConfig>;
  randomFaultsPerMinute?: number;
  /** Attach to an existing port (a pty end, a USB adapter looped to the host). */
  path?: string;
  /** Create a socat pty pair; the handle's devicePath is the end for the bridge. Optional fixed link paths. */
  pty?: boolean | { a: string; b: string };
  /** With neither path nor pty: in-process, the handle's binding connects a bridge straight to the MCU. */
  baudRate?: number;
  log?: (line: string) => void;
  random?: () => number;
  /** Action speed-up factor, default 1. */
  speed?: number;
}

export interface VirtualMcuHandle {
  mcu: VirtualMcu;
  /** In-process mode: pass as BridgeOptions.binding (any path). */
  binding?: BindingInterface;
  /** Pty mode: the path the bridge opens. */
  devicePath?: string;
  /** Runs one control line (see CONTROL_HELP) and returns the reply. */
  control(line: string): Promise<string>;
  /** Pulls the virtual cable for `ms`; resolves once it is plugged back in. */
  unplug(ms: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startVirtualMcu(options: StartVirtualMcuOptions): Promise<VirtualMcuHandle> {
  const mcu = new VirtualMcu({
    profile: options.profile,
    config: options.config,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.randomFaultsPerMinute !== undefined ? { randomFaultsPerMinute: options.randomFaultsPerMinute } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.speed ? { speed: options.speed } : {}),
  });
  if (options.log) mcu.on('log', options.log);
  mcu.start();

  let unplug: (ms: number) => Promise<void>;
  let stopTransport: () => Promise<void>;
  let binding: BindingInterface | undefined;
  let devicePath: string | undefined;

  if (options.pty || options.path) {
    let pair: PtyPair | undefined;
    let first: PtyPair | undefined; // owns the temp dir holding the links
    if (options.pty) {
      pair = first = await openPtyPair(typeof options.pty === 'object' ? options.pty : {});
      devicePath = pair.a;
    }
    const mcuPath = pair?.b ?? (options.path as string);
    const wire = new SerialWire(mcu, mcuPath, {
      baudRate: options.baudRate ?? 115200,
      ...(options.log ? { log: options.log } : {}),
    });
    await wire.attach();
    unplug = async (ms) => {
      await wire.pause();
      if (pair) {
        // Killing socat removes both pty devices: the bridge sees EIO, exactly like a USB unplug.
        const { a, b } = pair;
        await pair.kill();
        await sleep(ms);
        pair = await openPtyPair({ a, b });
      } else {
        await sleep(ms);
      }
      await wire.resume();
    };
    stopTransport = async () => {
      await wire.detach();
      await pair?.kill();
      await first?.close();
    };
  } else {
    const sim = createSimBinding(mcu);
    binding = sim.binding;
    unplug = async (ms) => {
      sim.unplug(ms);
      await sleep(ms);
    };
    stopTransport = async () => undefined;
  }

  const handle: VirtualMcuHandle = {
    mcu,
    ...(binding ? { binding } : {}),
    ...(devicePath ? { devicePath } : {}),
    control: (line) => runControl({ mcu, unplug }, line),
    unplug,
    async stop() {
      mcu.stop();
      await stopTransport();
    },
  };
  return handle;
}
