import { readFile, stat } from 'node:fs/promises';
import { ErrorCode, TouchpointError, describeIssues } from '@touchpoint/protocol';
import { contentKeyFile } from '@touchpoint/protocol/content-signing';
import type { SignerKey } from '@touchpoint/protocol/signing';

/**
 * Reads a help content key made by `touchpoint content keygen` (the maker's key, never the fleet's command
 * key): `content pack` signs a document with it, the broker signs the versions a rollout sends (issue 18).
 * Like any signing key, a file others on the machine can read is refused. The parser's message is left out
 * for a file that is not JSON: it would quote the key.
 */
export async function readContentKeyFile(path: string): Promise<SignerKey> {
  const info = await stat(path).catch(() => {
    throw new TouchpointError(ErrorCode.NOT_FOUND, `content key ${path} does not exist`);
  });
  if ((info.mode & 0o077) !== 0)
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `content key ${path} is readable by group or others; chmod 600 it`,
    );
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    throw new TouchpointError(ErrorCode.BAD_JSON, `${path} is not JSON`);
  }
  const parsed = contentKeyFile.safeParse(json);
  if (!parsed.success)
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `${path} is not a content key from \`touchpoint content keygen\`: ${describeIssues(parsed.error)}`,
    );
  return { keyId: parsed.data.keyId, privateKeyPem: parsed.data.privateKeyPem, publicKeyPem: parsed.data.publicKeyPem };
}
