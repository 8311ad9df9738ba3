import { realpath } from 'node:fs/promises';

/**
 * Watches a device path while the port is open. A pty whose master died, or some USB-serial drivers, never
 * report POLLHUP to libuv, so the port looks alive while the device node is gone. Polling the path catches it:
 * the node vanishes, or the link now points at a different device (socat restarted, /dev/ttyUSB renumbered).
 */
export class PathWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly intervalMs: number,
    private readonly onGone: (reason: string) => void,
  ) {}

  async start(): Promise<void> {
    this.stop();
    let target: string;
    try {
      target = await realpath(this.path);
    } catch {
      return; // nothing to compare against; the open just succeeded on something non-file (e.g. a mock)
    }
    this.timer = setInterval(() => {
      realpath(this.path).then(
        (now) => {
          if (now !== target) this.fire(`${this.path} now points to ${now}, not ${target}`);
        },
        () => this.fire(`${this.path} disappeared`),
      );
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private fire(reason: string): void {
    if (!this.timer) return;
    this.stop();
    this.onGone(reason);
  }
}
