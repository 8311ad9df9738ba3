import { describe, expect, it } from 'vitest';
import { VirtualMcu } from '../sim/virtual-mcu.js';
import { model } from './helpers.js';

/**
 * Errors a presenter or a test raises on purpose stay while the sensors do not change (the tests and the
 * demo's Simulator panel rely on it), and a scenario applied on purpose does what it says even after the same
 * error was cleared on purpose. Simulated time: tick() runs the rules with no waiting.
 */
describe('virtual MCU rules and errors raised on purpose', () => {
  function coffeeMachine(): VirtualMcu {
    const { profile, config } = model('coffee-machine');
    return new VirtualMcu({ profile, config, randomFaultsPerMinute: 0, random: () => 0.5 });
  }

  it('keeps E02 raised on purpose with a dry drip tray through many ticks, and clears it when the tray is emptied after filling', () => {
    const mcu = coffeeMachine();
    mcu.setSensor('drip_tray_full', false);
    mcu.raise('E02');
    for (let i = 0; i < 50; i++) mcu.tick();
    expect(mcu.errors.has('E02')).toBe(true);
    mcu.setSensor('drip_tray_full', true);
    mcu.setSensor('drip_tray_full', false); // the rule held and let go: fixed
    expect(mcu.errors.has('E02')).toBe(false);
  });

  it('raises E05 again when the scale_up scenario is applied after E05 was cleared on purpose', () => {
    const mcu = coffeeMachine();
    mcu.scenario('scale_up');
    expect(mcu.errors.has('E05')).toBe(true);
    mcu.clear('E05'); // on purpose while the scale is still high: stays cleared on ticks
    mcu.tick();
    expect(mcu.errors.has('E05')).toBe(false);
    mcu.scenario('scale_up');
    expect(mcu.errors.has('E05')).toBe(true);
  });
});
