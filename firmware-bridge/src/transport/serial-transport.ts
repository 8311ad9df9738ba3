import { EventEmitter } from 'node:events';
import { access } from 'node:fs/promises';
import { autoDetect, type BindingInterface } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { backoffDelay, ErrorCode, TouchpointError, type LinkState, type Logger } from '@touchpoint/protocol';
import { PathWatch } from './path-watch.js';
import { describeOpenError, isDisconnectError } from './port-errors.js';

export interface TransportOptions {
  /** Configured by path, never discovered through SerialPort.list(). */
  path: string;
  baudRate: number;
  /** Defaults to the platform binding; tests pass @serialport/binding-mock or the virtual MCU's binding. */
  binding?: BindingInterface;
  /** pollIntervalMs: how often the device path is checked while open (default 500; real ports only). */
  reopen?: { initialDelayMs?: number; maxDelayMs?: number; pollIntervalMs?: number };
  logger: Pick<Logger, 'info' | 'warn'>;
}

export interface TransportEvents {
  data: [chunk: Uint8Array];
  link: [state: LinkState, reason?: string];
}

/**
 * One serial port that keeps itself open: after an unplug (close/error events, EIO/ENXIO on write or read) it
 * reports `down`, then `reopening`, and retries with backoff until the port is back (`up`).
 */
export class SerialTransport extends EventEmitter<TransportEvents> {
  private port: SerialPortStream | undefined;
  private stateValue: LinkState = 'down';
  private closed = true;
  private reopenTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private readonly binding: BindingInterface;
  /** How many times the port came back after a loss. */
  reopenCount = 0;
  private everUp = false;
  private watch: PathWatch | undefined;

  constructor(private readonly options: TransportOptions) {
    super();
    this.binding = options.binding ?? autoDetect();
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /** Resolves after the first attempt, up or not; reopening continues in the background. */
  async open(): Promise<void> {
    if (!this.closed) return;
    this.closed = false;
    if (!(await this.tryOpen())) this.scheduleReopen();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    const port = this.port;
    this.port = undefined;
    this.watch?.stop();
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners();
    this.setState('down', 'closed');
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port || this.stateValue !== 'up')
      throw new TouchpointError(ErrorCode.LINK_DOWN, `serial link to ${this.options.path} is ${this.stateValue}`);
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) => {
        if (!err) return resolve();
        if (isDisconnectError(err) || !port.isOpen) this.lost(port, `write failed: ${err.message}`);
        reject(new TouchpointError(ErrorCode.LINK_DOWN, `write to ${this.options.path} failed: ${err.message}`));
      });
    });
  }

  private async tryOpen(): Promise<boolean> {
    const { path, baudRate } = this.options;
    if (!this.options.binding) {
      // Cheap poll of the path before asking the OS to open it.
      try {
        await access(path);
      } catch (err) {
        this.reportOpenFailure(err);
        return false;
      }
    }
    const port = new SerialPortStream({ binding: this.binding, path, baudRate, autoOpen: false, endOnClose: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      port.removeAllListeners();
      this.reportOpenFailure(err);
      return false;
    }
    if (this.closed) {
      port.close();
      return false;
    }
    this.port = port;
    port.on('data', (chunk: Buffer) =>
      this.emit('data', new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
    port.on('close', (err: Error | null) => this.lost(port, err ? `port closed: ${err.message}` : 'port closed'));
    port.on('error', (err: Error) => this.lost(port, `port error: ${err.message}`));
    port.on('end', () => this.lost(port, 'port reached end of stream'));
    if (!this.options.binding) {
      this.watch = new PathWatch(path, this.options.reopen?.pollIntervalMs ?? 500, (reason) => this.lost(port, reason));
      await this.watch.start();
    }
    if (this.everUp) this.reopenCount++;
    this.everUp = true;
    this.attempts = 0;
    this.options.logger.info(`serial link up on ${path} at ${baudRate} baud`);
    this.setState('up');
    return true;
  }

  private lost(port: SerialPortStream, reason: string): void {
    if (this.port !== port || this.closed) return;
    this.port = undefined;
    this.watch?.stop();
    port.removeAllListeners();
    port.on('error', () => undefined); // late errors from a dead port must not crash the process
    if (port.isOpen) port.close();
    this.options.logger.warn(`serial link down on ${this.options.path}: ${reason}`);
    this.setState('down', reason);
    this.scheduleReopen();
  }

  private reportOpenFailure(err: unknown): void {
    const message = describeOpenError(this.options.path, err);
    if (this.attempts === 0) this.options.logger.warn(message);
    if (this.stateValue === 'up') this.setState('down', message);
    else if (this.stateValue === 'down' && this.attempts === 0) this.emit('link', 'down', message);
  }

  private scheduleReopen(): void {
    if (this.closed) return;
    clearTimeout(this.reopenTimer);
    const delay = backoffDelay(
      this.attempts,
      this.options.reopen?.initialDelayMs ?? 250,
      this.options.reopen?.maxDelayMs ?? 5000,
    );
    this.attempts++;
    this.reopenTimer = setTimeout(() => {
      if (this.closed) return;
      this.setState('reopening');
      void this.tryOpen().then((up) => {
        if (!up) this.scheduleReopen();
      });
    }, delay);
  }

  private setState(state: LinkState, reason?: string): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('link', state, reason);
  }
}
