import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// What the single-file agent (device-agent/build.mjs) carries from firmware-bridge. The virtual MCU
// is a development tool and must not ship to devices (issue 14: about 3.8 KB of it did, through
// the bridge entry).
describe('agent bundle', () => {
  it('carries the serial bridge but not the virtual MCU', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/bundle-main.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      // Native modules stay outside the bundle, as in device-agent/build.mjs.
      external: ['serialport', '@serialport/*', 'better-sqlite3'],
      logLevel: 'silent',
    });
    const bridgeFiles = Object.keys(result.metafile.inputs).filter((file) => file.includes('firmware-bridge/'));
    expect(bridgeFiles).toContain('firmware-bridge/src/bridge.ts');
    expect(bridgeFiles.filter((file) => file.startsWith('firmware-bridge/sim/'))).toEqual([]);
  });
});
