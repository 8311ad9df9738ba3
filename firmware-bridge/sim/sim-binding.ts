import { SerialPortMock } from 'serialport';
import type { BindingInterface } from '@serialport/bindings-cpp';
import type { VirtualMcu } from './virtual-mcu.js';

// serialport re-exports the mock binding with working type declarations.
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

export interface SimBinding {
  /** Pass as BridgeOptions.binding; any path opens a port wired to the virtual MCU. */
  binding: BindingInterface;
  /** Simulates pulling the cable: the open port fails like a USB unplug and opens fail for `ms`. */
  unplug(ms: number): void;
}

/**
 * In-process wiring built on @serialport/binding-mock: bytes the host writes go to the virtual MCU, its output
 * arrives as received data. No OS port, so unit tests stay fast and deterministic.
 */
export function createSimBinding(mcu: VirtualMcu): SimBinding {
  let current: MockPortBinding | undefined;
  let unpluggedUntil = 0;
  mcu.on('output', (bytes) => {
    if (current?.isOpen) current.emitData(Buffer.from(bytes));
  });
  const binding = {
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]): Promise<MockPortBinding> {
      if (Date.now() < unpluggedUntil)
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${options.path}'`), { code: 'ENOENT' });
      MockBinding.createPort(options.path, { echo: false, record: false });
      const port = await MockBinding.open(options);
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer): Promise<void> => {
        await write(buffer);
        mcu.receive(new Uint8Array(buffer));
      };
      current = port;
      return port;
    },
  } as unknown as BindingInterface;
  return {
    binding,
    unplug(ms: number): void {
      unpluggedUntil = Date.now() + ms;
      const port = current;
      current = undefined;
      // The mock keeps its pending read private; failing it with a non-canceled error is exactly what the
      // native binding does on EIO/ENXIO, so @serialport/stream reports a disconnect.
      const pending = (port as unknown as { pendingRead: ((err: Error) => void) | null } | undefined)?.pendingRead;
      const error = Object.assign(new Error('EIO: i/o error, read (simulated unplug)'), { code: 'EIO' });
      if (pending) pending(error);
      else if (port?.isOpen) void port.close();
    },
  };
}
