import { autoDetect, type BindingInterface } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { PathWatch } from '../src/transport/path-watch.js';
import type { VirtualMcu } from './virtual-mcu.js';

/**
 * Attaches the virtual MCU to a serial port by path and keeps it attached: when the port goes away (pty
 * recreated, adapter replugged) it retries every `retryMs` until detach().
 */
export class SerialWire {
  private port: SerialPortStream | undefined;
  private stopped = false;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private watch: PathWatch | undefined;
  private readonly onOutput = (bytes: Uint8Array): void => {
    if (this.port?.isOpen) this.port.write(Buffer.from(bytes));
  };

  constructor(
    private readonly mcu: VirtualMcu,
    private readonly path: string,
    private readonly options: {
      baudRate?: number;
      binding?: BindingInterface;
      retryMs?: number;
      log?: (line: string) => void;
    } = {},
  ) {}

  async attach(): Promise<void> {
    this.mcu.on('output', this.onOutput);
    await this.connect();
  }

  /** Closes the port for a while (used by unplug), then reconnects. */
  async pause(): Promise<void> {
    this.paused = true;
    clearTimeout(this.timer);
    await this.closePort();
  }

  async resume(): Promise<void> {
    this.paused = false;
    await this.connect();
  }

  async detach(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.mcu.off('output', this.onOutput);
    await this.closePort();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.paused || this.port) return;
    const port = new SerialPortStream({
      binding: this.options.binding ?? autoDetect(),
      path: this.path,
      baudRate: this.options.baudRate ?? 115200,
      autoOpen: false,
    });
    const opened = await new Promise<boolean>((resolve) => port.open((err) => resolve(!err)));
    if (!opened || this.stopped || this.paused) {
      if (opened) port.close();
      this.retry();
      return;
    }
    this.port = port;
    this.options.log?.(`attached to ${this.path}`);
    port.on('data', (chunk: Buffer) => this.mcu.receive(new Uint8Array(chunk)));
    const lost = (): void => {
      if (this.port !== port) return;
      this.port = undefined;
      this.watch?.stop();
      port.removeAllListeners();
      port.on('error', () => undefined);
      if (port.isOpen) port.close();
      this.options.log?.(`lost ${this.path}, retrying`);
      this.retry();
    };
    port.on('close', lost);
    port.on('error', lost);
    port.on('end', lost);
    this.watch = new PathWatch(this.path, 200, lost);
    await this.watch.start();
  }

  private retry(): void {
    if (this.stopped || this.paused) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), this.options.retryMs ?? 200);
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.watch?.stop();
    if (!port) return;
    port.removeAllListeners();
    port.on('error', () => undefined);
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
