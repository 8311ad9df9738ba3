import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { describeIssues, ErrorCode, TouchpointError, validateFlowSet, type DeviceProfile } from '@touchpoint/protocol';
import type { AgentActionHandler } from './agent-actions.js';

/**
 * `help.install`: new help content pushed by support, as a signed command
 * carrying the content's URL and SHA-256. The hash is signed, so the download
 * source needs no trust; the content is then validated against the model's
 * profile exactly like shipped flows, and switched in atomically.
 *
 * Content is one JSON document: `{ "flows": { "descale.json": {...} }, "images": { "images/x.png": "<base64>" } }`.
 * It is installed to `dataDir/help/<sha256>/flows/`, and `dataDir/help/current` names the live version.
 */
export const HELP_CONTENT_MAX_BYTES = 8 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

const relPath = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a relative path of A-Z a-z 0-9 . _ - /')
  .refine((p) => !p.split('/').includes('..'), 'may not contain ..');

export const helpContentSchema = z.strictObject({
  flows: z.record(relPath.regex(/^[^/]+\.json$/, 'flow files sit at the top level and end in .json'), z.unknown()),
  images: z.record(relPath, z.string().max(HELP_CONTENT_MAX_BYTES)).default({}),
});

export const helpInstallParams = z.object({
  url: z.string().max(256).refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
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

async function download(url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    throw new TouchpointError(ErrorCode.ACTION_FAILED, `cannot download help content: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) throw new TouchpointError(ErrorCode.ACTION_FAILED, `cannot download help content: HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > HELP_CONTENT_MAX_BYTES) {
      await reader.cancel();
      throw new TouchpointError(ErrorCode.PACKET_TOO_LARGE, `help content exceeds ${HELP_CONTENT_MAX_BYTES} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

export interface HelpInstallDeps {
  dataDir: string;
  profile: DeviceProfile;
  /** Told about the new content (the help session reloads its flows). */
  installed(dir: string, sha256: string, flows: number): void;
}

export function helpInstallAction(deps: HelpInstallDeps): AgentActionHandler {
  return async (rawParams) => {
    const params = helpInstallParams.safeParse(rawParams);
    if (!params.success) throw new TouchpointError(ErrorCode.BAD_PARAMS, describeIssues(params.error));
    const { url, sha256 } = params.data;
    const body = await download(url);
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== sha256) throw new TouchpointError(ErrorCode.ACTION_FAILED, `help content hash mismatch: expected ${sha256}, got ${actual}`);

    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new TouchpointError(ErrorCode.BAD_JSON, `help content is not JSON: ${(err as Error).message}`);
    }
    const content = helpContentSchema.safeParse(json);
    if (!content.success) throw new TouchpointError(ErrorCode.SCHEMA_INVALID, `help content: ${describeIssues(content.error)}`);
    const images = new Set(Object.keys(content.data.images).map((p) => normalize(p)));
    const set = validateFlowSet(
      Object.entries(content.data.flows).map(([name, flow]) => ({ file: name, json: flow })),
      { profile: deps.profile, imageExists: (rel) => images.has(normalize(rel)) },
    );
    if (set.problems.length > 0) {
      const first = set.problems.slice(0, 3).map((p) => `${p.file} ${p.path}: ${p.message}`).join('; ');
      throw new TouchpointError(ErrorCode.FLOW_INVALID, `help content has ${set.problems.length} problem(s): ${first}`);
    }

    // Write next to the live version, then switch the pointer with one rename: a crash leaves the old content live.
    const root = join(deps.dataDir, 'help');
    const dir = join(root, sha256);
    const staging = join(root, `.staging-${sha256}`);
    await rm(staging, { recursive: true, force: true });
    for (const [name, flow] of Object.entries(content.data.flows)) {
      await mkdir(join(staging, 'flows'), { recursive: true });
      await writeFile(join(staging, 'flows', name), JSON.stringify(flow, null, 2));
    }
    for (const [rel, base64] of Object.entries(content.data.images)) {
      const target = join(staging, 'flows', normalize(rel));
      if (!target.startsWith(join(staging, 'flows') + sep)) throw new TouchpointError(ErrorCode.SCHEMA_INVALID, `image path ${rel} escapes the content`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, Buffer.from(base64, 'base64'));
    }
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    await writeFile(join(root, 'current.tmp'), `${sha256}\n`);
    await rename(join(root, 'current.tmp'), join(root, 'current'));
    deps.installed(dir, sha256, set.flows.length);
    return { sha256, flows: set.flows.length };
  };
}
