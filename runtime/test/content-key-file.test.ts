import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSignerKey } from '@touchpoint/protocol/signing';
import { readContentKeyFile } from '../src/content-key-file.js';

describe('readContentKeyFile (the maker content key: content pack, the broker rollouts)', () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'tp-content-key-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a 0600 key file from content keygen and refuses one others can read, a command key and a missing file', async () => {
    const key = generateSignerKey('maker-1');
    const path = join(dir, 'content.key');
    await writeFile(path, JSON.stringify({ ...key, purpose: 'help-content' }), { mode: 0o600 });
    expect(await readContentKeyFile(path)).toEqual(key);

    await chmod(path, 0o644);
    await expect(readContentKeyFile(path)).rejects.toThrow(/readable by group or others; chmod 600 it/);

    const other = join(dir, 'command.key');
    await writeFile(other, JSON.stringify({ ...key, purpose: 'commands' }), { mode: 0o600 });
    await expect(readContentKeyFile(other)).rejects.toMatchObject({ code: 'SCHEMA_INVALID' });
    const broken = join(dir, 'broken.key');
    await writeFile(broken, `{"privateKeyPem": "-----BEGIN PRIVATE KEY----- secret`, { mode: 0o600 });
    const err = (await readContentKeyFile(broken).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`${broken} is not JSON`);
    await expect(readContentKeyFile(join(dir, 'none.key'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
