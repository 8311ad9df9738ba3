import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../src/profile-loader.js';

const scratch = mkdtempSync(join(tmpdir(), 'tp-profile-loader-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function thrown(fn: () => unknown): TouchpointError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TouchpointError) return err;
    throw err;
  }
  throw new Error('expected a TouchpointError');
}

describe('loadProfile (the agent config\'s "profile")', () => {
  it('reads a model folder or its profile.json', () => {
    const dir = join(DEFAULT_MODELS_DIR, 'coffee-machine');
    expect(loadProfile(dir).model).toBe('coffee-machine');
    expect(loadProfile(join(dir, 'profile.json')).model).toBe('coffee-machine');
  });

  it('names a missing path NOT_FOUND, and a broken profile SCHEMA_INVALID with its file and JSON path', () => {
    expect(thrown(() => loadProfile(join(scratch, 'nope'))).code).toBe(ErrorCode.NOT_FOUND);
    const notJson = join(scratch, 'not-json.json');
    writeFileSync(notJson, '{ "model": ');
    const bad = thrown(() => loadProfile(notJson));
    expect(bad.code).toBe(ErrorCode.SCHEMA_INVALID);
    expect(bad.message).toContain(`${notJson}: (root): profile is not JSON`);
    const noModel = join(scratch, 'no-model.json');
    writeFileSync(noModel, JSON.stringify({ version: '1.0.0' }));
    expect(thrown(() => loadProfile(noModel)).message).toMatch(
      /no-model\.json: \(root\): .*model.*\(PROFILE_INVALID\)/,
    );
  });
});
