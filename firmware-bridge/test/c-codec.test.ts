import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex, vectors } from './helpers.js';

const cDir = fileURLToPath(new URL('../c/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tp-c-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bytes = (hex: string): string =>
  `{${[...fromHex(hex), 0].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(',')}}`;
const errorCodes: Record<string, string> = {
  FRAME_CRC: 'TP_ERR_CRC',
  FRAME_VERSION: 'TP_ERR_VERSION',
  FRAME_MALFORMED: 'TP_ERR_MALFORMED',
  FRAME_TOO_LARGE: 'TP_ERR_TOO_LARGE',
};

/** Turns frames.json into a C header, so the C test needs no JSON parser. */
function vectorsHeader(): string {
  const valid = vectors.valid.map((v, i) =>
    [
      `static const uint8_t V${i}_BODY[] = ${bytes(v.body)};`,
      `static const uint8_t V${i}_WIRE[] = ${bytes(v.wire)};`,
    ].join('\n'),
  );
  const invalid = vectors.invalid.map((v, i) => `static const uint8_t I${i}_RAW[] = ${bytes(v.raw)};`);
  return [
    '#define CRC_ASCII "123456789"',
    `#define CRC_VALUE 0x${vectors.crc.value.toString(16)}u`,
    'struct valid_vector { const char *name; uint8_t kind, seq, command, status; const uint8_t *body; size_t body_len; const uint8_t *wire; size_t wire_len; };',
    'struct invalid_vector { const char *name; const uint8_t *raw; size_t raw_len; int error; };',
    ...valid,
    ...invalid,
    `static const struct valid_vector VALID[] = {${vectors.valid
      .map(
        (v, i) =>
          `{${JSON.stringify(v.name)}, ${v.kind}, ${v.seq}, ${v.command}, ${v.status}, V${i}_BODY, ${fromHex(v.body).length}, V${i}_WIRE, ${fromHex(v.wire).length}}`,
      )
      .join(',\n')}};`,
    `static const struct invalid_vector INVALID[] = {${vectors.invalid.map((v, i) => `{${JSON.stringify(v.name)}, I${i}_RAW, ${fromHex(v.raw).length}, ${errorCodes[v.error]}}`).join(',\n')}};`,
    `#define VALID_COUNT ${vectors.valid.length}u`,
    `#define INVALID_COUNT ${vectors.invalid.length}u`,
    '',
  ].join('\n');
}

describe('C99 frame codec', () => {
  it('compiles warning-free with gcc -std=c99 and passes the shared vectors and the fuzz loop', () => {
    writeFileSync(join(work, 'tp_vectors.h'), vectorsHeader());
    const exe = join(work, 'test_tp_frame');
    execFileSync(
      'gcc',
      [
        '-std=c99',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-pedantic',
        '-O1',
        '-fsanitize=address,undefined',
        '-fno-sanitize-recover=all',
        `-I${work}`,
        `-I${cDir}`,
        join(cDir, 'tp_frame.c'),
        join(cDir, 'test_tp_frame.c'),
        '-o',
        exe,
      ],
      { stdio: 'pipe' },
    );
    const out = execFileSync(exe, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain(`ok: ${vectors.valid.length} valid vectors, ${vectors.invalid.length} invalid vectors`);
  });
});
