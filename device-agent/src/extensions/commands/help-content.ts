import { normalize } from 'node:path';
import { z } from 'zod';
import { describeIssues, ErrorCode, validateFlowSet, type DeviceProfile } from '@touchpoint/protocol';
import { helpContentSignature, verifyHelpContent } from '@touchpoint/protocol/content-signing';
import type { TrustedKey } from '@touchpoint/protocol/signing';
import { checkContentImage } from './content-images.js';

/**
 * A help content document, checked the same way on the device (help.install)
 * and by the maker's tool before it signs (`touchpoint content pack`). No I/O.
 *
 * `{ "flows": { "descale.json": {...} }, "images": { "images/x.svg": "<base64>" }, "signature": {...} }`
 * Order: shape of the signature, the signature with the device's content keys
 * and model, then paths, images and flows (only signed bytes are looked at closely).
 */
export const HELP_CONTENT_MAX_BYTES = 8 * 1024 * 1024;

const relPath = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a relative path of A-Z a-z 0-9 . _ - /')
  .refine((p) => !p.split('/').includes('..'), 'may not contain ..');

export const helpContentSchema = z.strictObject({
  flows: z.record(relPath.regex(/^[^/]+\.json$/, 'flow files sit at the top level and end in .json'), z.unknown()),
  images: z.record(relPath, z.string().max(HELP_CONTENT_MAX_BYTES)),
  signature: helpContentSignature,
});
export type HelpContent = z.infer<typeof helpContentSchema>;

/** Loose first pass: enough structure to verify the signature before anything else is trusted. */
const signedShape = z.object({
  flows: z.record(z.string(), z.unknown()),
  images: z.record(z.string(), z.string()),
  signature: helpContentSignature,
});

export type ContentCheck =
  | { ok: true; content: HelpContent; flows: number; images: Map<string, Buffer> }
  | { ok: false; code: ErrorCode; detail: string };

export interface ContentCheckOptions {
  profile: DeviceProfile;
  /** The device's help content keys (config `helpContent.keys`), never its command keys. */
  keys: readonly TrustedKey[];
}

export function checkHelpContent(json: unknown, options: ContentCheckOptions): ContentCheck {
  const shape = signedShape.safeParse(json);
  if (!shape.success)
    return {
      ok: false,
      code: ErrorCode.SCHEMA_INVALID,
      detail: `not a signed help content document: ${describeIssues(shape.error)}`,
    };
  const { flows, images, signature } = shape.data;
  const verified = verifyHelpContent({ flows, images }, signature, options.keys, options.profile.model);
  if (!verified.ok) return { ok: false, code: verified.code, detail: verified.reason };

  const content = helpContentSchema.safeParse(json);
  if (!content.success) return { ok: false, code: ErrorCode.SCHEMA_INVALID, detail: describeIssues(content.error) };
  const decoded = new Map<string, Buffer>();
  for (const [rel, base64] of Object.entries(content.data.images)) {
    const bytes = Buffer.from(base64, 'base64');
    const image = checkContentImage(rel, bytes);
    if (!image.ok) return { ok: false, code: ErrorCode.SCHEMA_INVALID, detail: `image ${image.reason}` };
    decoded.set(normalize(rel), bytes);
  }
  const set = validateFlowSet(
    Object.entries(content.data.flows).map(([name, flow]) => ({ file: name, json: flow })),
    { profile: options.profile, imageExists: (rel) => decoded.has(normalize(rel)) },
  );
  if (set.problems.length > 0) {
    const first = set.problems
      .slice(0, 3)
      .map((p) => `${p.file} ${p.path}: ${p.message}`)
      .join('; ');
    return { ok: false, code: ErrorCode.FLOW_INVALID, detail: `${set.problems.length} flow problem(s): ${first}` };
  }
  return { ok: true, content: content.data, flows: set.flows.length, images: decoded };
}
