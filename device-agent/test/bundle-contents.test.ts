import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// What the single-file agent (device-agent/build.mjs) carries from firmware-bridge. The virtual MCU
// is a development tool and must not ship to devices (issue 14: about 3.8 KB of it did, through
// the bridge entry).
describe('agent bundle', () => {
  it('sets its heap flags before any bundled module runs (AGENT_V8_FLAGS in build.mjs, issue 13)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tp-agent-bundle-'));
    try {
      const { buildAgent, AGENT_V8_FLAGS } = (await import(new URL('../build.mjs', import.meta.url).href)) as {
        buildAgent(o: { outfile: string; minify: boolean; quiet: boolean }): Promise<{ files: string[] }>;
        AGENT_V8_FLAGS: string;
      };
      expect(AGENT_V8_FLAGS).toBe('--semi-space-growth-factor=1');
      const outfile = join(dir, 'agent.mjs');
      await buildAgent({ outfile, minify: false, quiet: true });
      const code = await readFile(outfile, 'utf8');
      const flags = code.indexOf(`__tpV8Flags(${JSON.stringify(AGENT_V8_FLAGS)})`);
      expect(flags).toBeGreaterThan(0);
      // Unminified, esbuild puts each bundled module under a `// path` comment: the first comes after the flags.
      expect(code.search(/^\/\/ \S+\.(ts|js|mjs|cjs)$/m)).toBeGreaterThan(flags);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

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
