import { describe, expect, it } from 'vitest';
import * as bridgeEntry from '@touchpoint/firmware-bridge';
import * as simEntry from '@touchpoint/firmware-bridge/sim';

// The package's two entries (issue 14): '@touchpoint/firmware-bridge' is what the device agent
// bundles, so the virtual MCU lives at '@touchpoint/firmware-bridge/sim' only.
describe('firmware-bridge entries', () => {
  it('the bridge entry has the bridge and no simulator', () => {
    expect(typeof bridgeEntry.createBridge).toBe('function');
    expect(Object.keys(bridgeEntry)).not.toContain('startVirtualMcu');
    expect(Object.keys(bridgeEntry)).not.toContain('VirtualMcu');
    expect(bridgeEntry.commands.map((c) => c.path.join(' '))).toEqual(['bridge monitor', 'bridge call']);
  });

  it('the sim entry has the virtual MCU and its command', () => {
    expect(typeof simEntry.startVirtualMcu).toBe('function');
    expect(typeof simEntry.loadModel).toBe('function');
    expect(simEntry.commands.map((c) => c.path.join(' '))).toEqual(['mcu-sim']);
  });
});
