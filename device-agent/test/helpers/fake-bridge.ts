import { EventEmitter } from 'node:events';
import type { LinkState, McuInfo, SensorValue } from '@touchpoint/protocol';
import type { McuActionResult, McuBridge, McuEvent } from '../../src/bridge/mcu-bridge.js';

/**
 * A unit-test stand-in for the firmware bridge: plain state, every action run
 * recorded. Integration tests use the virtual MCU over a pty instead.
 */
export class FakeBridge extends EventEmitter implements McuBridge {
  link: LinkState = 'down';
  sensors: Record<string, SensorValue> = { machine_state: 'idle', water_tank_level: 80, grind_size: 5 };
  errors: string[] = [];
  info: McuInfo = { model: 'coffee-machine', serial: 'SN-TEST', firmwareVersion: '2.4.1' };
  readonly runs: { name: string; params: Record<string, unknown> }[] = [];
  actionResult: McuActionResult = { ok: true };
  openFails = false;

  get activeErrors(): readonly string[] {
    return this.errors;
  }

  async open(): Promise<void> {
    if (this.openFails) throw new Error('ENOENT: no such file /dev/ttyTEST');
    this.setLink('up');
  }

  async close(): Promise<void> {
    this.setLink('down');
  }

  setLink(state: LinkState, reason?: string): void {
    this.link = state;
    this.emit('link', state, reason);
  }

  raise(event: McuEvent): void {
    this.emit('event', event);
  }

  async getInfo(): Promise<McuInfo> {
    this.assertUp();
    return this.info;
  }

  async readSensors(): Promise<Record<string, SensorValue>> {
    this.assertUp();
    return { ...this.sensors };
  }

  async readErrors(): Promise<string[]> {
    this.assertUp();
    return [...this.errors];
  }

  async runAction(
    name: string,
    params: Record<string, unknown>,
    options?: { onProgress?: (p: { percent: number }) => void },
  ): Promise<McuActionResult> {
    this.assertUp();
    this.runs.push({ name, params });
    options?.onProgress?.({ percent: 50 });
    if (name === 'set_grind_size' && typeof params.size === 'number') this.sensors.grind_size = params.size;
    return this.actionResult;
  }

  private assertUp(): void {
    if (this.link !== 'up') throw Object.assign(new Error('serial link is down'), { code: 'LINK_DOWN' });
  }
}
