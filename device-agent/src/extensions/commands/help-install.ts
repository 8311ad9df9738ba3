import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { describeIssues, ErrorCode, TouchpointError, type DeviceProfile } from '@touchpoint/protocol';
import type { TrustedKey } from '@touchpoint/protocol/signing';
import type { AgentConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { AgentActionHandler } from './agent-actions.js';
import { checkHelpContent, type HelpContent } from './help-content.js';
import { FetchRefused, safeFetch, type SafeFetchOptions } from './safe-fetch.js';

export { HELP_CONTENT_MAX_BYTES, helpContentSchema } from './help-content.js';

/**
 * `help.install`: new help content, pushed by an admin as a signed command
 * carrying the content's URL and SHA-256 (issue 12 item 7):
 * - the download goes through safeFetch: https, configured origins only, public
 *   addresses only, no redirects, size and time limits;
 * - the bytes must match the command's SHA-256 (the admin picks the exact version);
 * - the content must carry a signature by one of the device's *content* keys
 *   for its model (help-content.ts), which the command key cannot make;
 * - images must be inert (content-images.ts); flows must fit the profile.
 * Any failure reaches the fleet as one generic reason, so the command cannot
 * probe the network (no status, no hash, no reachability); the device log
 * holds the detail. The content is then switched in atomically.
 *
 * Installed to `dataDir/help/<sha256>/flows/`; `dataDir/help/current` names the live version.
 */
export const HELP_INSTALL_REFUSED = 'help content was not installed; the reason is in the device log';

export const helpInstallParams = z.object({
  url: z.string().max(256),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
});

/** The directory of the installed help content (it holds `flows/`), or undefined when none was installed. */
export async function installedHelpDir(dataDir: string): Promise<string | undefined> {
  try {
    const version = (await readFile(join(dataDir, 'help', 'current'), 'utf8')).trim();
    const dir = join(dataDir, 'help', version);
    return /^[0-9a-f]{64}$/.test(version) && existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export interface HelpInstallDeps {
  dataDir: string;
  profile: DeviceProfile;
  /** Where content may come from and who signs it (config `helpContent`); undefined refuses every install. */
  source: { fetch: SafeFetchOptions; keys: readonly TrustedKey[] } | undefined;
  logger: Logger;
  /** Told about the new content (the help session reloads its flows). */
  installed(dir: string, sha256: string, flows: number): void;
}

/** The install source from the config file; only origins, keys and limits, never the test seams of SafeFetchOptions. */
export function helpContentSource(config: AgentConfig['helpContent']): HelpInstallDeps['source'] {
  if (!config) return undefined;
  return {
    fetch: { origins: config.origins, maxBytes: config.maxBytes, timeoutMs: config.timeoutMs },
    keys: config.keys,
  };
}

/** A refusal with its detail for the device log. */
class Refused extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The URL without its query and fragment, which may carry a download token. */
function loggable(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

async function download(
  url: string,
  sha256: string,
  deps: HelpInstallDeps,
): Promise<HelpContent & { flowCount: number; imageBytes: Map<string, Buffer> }> {
  if (!deps.source)
    throw new Refused(
      'NOT_CONFIGURED',
      'this device has no helpContent section in its config (origins and content keys)',
    );
  let body: Buffer;
  try {
    body = await safeFetch(url, deps.source.fetch);
  } catch (err) {
    if (err instanceof FetchRefused) throw new Refused(err.refusal, err.detail);
    throw err;
  }
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== sha256) throw new Refused('HASH_MISMATCH', `expected SHA-256 ${sha256}, got ${actual}`);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new Refused(ErrorCode.BAD_JSON, `not JSON: ${(err as Error).message}`);
  }
  const checked = checkHelpContent(json, { profile: deps.profile, keys: deps.source.keys });
  if (!checked.ok) throw new Refused(checked.code, checked.detail);
  return { ...checked.content, flowCount: checked.flows, imageBytes: checked.images };
}

/** Write next to the live version, then switch the pointer with one rename: a crash leaves the old content live. */
async function install(
  dataDir: string,
  sha256: string,
  content: HelpContent,
  images: Map<string, Buffer>,
): Promise<string> {
  const root = join(dataDir, 'help');
  const dir = join(root, sha256);
  const staging = join(root, `.staging-${sha256}`);
  const flowsDir = join(staging, 'flows');
  await rm(staging, { recursive: true, force: true });
  await mkdir(flowsDir, { recursive: true });
  for (const [name, flow] of Object.entries(content.flows))
    await writeFile(join(flowsDir, name), JSON.stringify(flow, null, 2));
  for (const [rel, bytes] of images) {
    const target = join(flowsDir, normalize(rel));
    if (!target.startsWith(flowsDir + sep))
      throw new Refused(ErrorCode.SCHEMA_INVALID, `image path ${rel} escapes the content`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  await writeFile(join(root, 'current.tmp'), `${sha256}\n`);
  await rename(join(root, 'current.tmp'), join(root, 'current'));
  return dir;
}

export function helpInstallAction(deps: HelpInstallDeps): AgentActionHandler {
  return async (rawParams, context) => {
    const params = helpInstallParams.safeParse(rawParams);
    if (!params.success) throw new TouchpointError(ErrorCode.BAD_PARAMS, describeIssues(params.error));
    const { url, sha256 } = params.data;
    try {
      const content = await download(url, sha256, deps);
      const dir = await install(deps.dataDir, sha256, content, content.imageBytes);
      deps.installed(dir, sha256, content.flowCount);
      deps.logger.info('help content installed', {
        commandId: context.commandId,
        sha256,
        flows: content.flowCount,
        keyId: content.signature.keyId,
      });
      return { sha256, flows: content.flowCount };
    } catch (err) {
      const code = err instanceof Refused ? err.code : ErrorCode.INTERNAL;
      deps.logger.warn('help content refused', {
        code,
        commandId: context.commandId,
        issuedBy: context.issuedBy,
        url: loggable(url),
        detail: (err as Error).message,
      });
      throw new TouchpointError(ErrorCode.ACTION_FAILED, HELP_INSTALL_REFUSED);
    }
  };
}
