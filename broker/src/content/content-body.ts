import { createHash } from 'node:crypto';
import {
  canonicalJson,
  contentBody,
  validateFlowSet,
  type ContentBody,
  type DeviceProfile,
  type FlowProblem,
} from '@touchpoint/protocol';

/**
 * The body of a content version: exactly the part of a help content document that the content key signs
 * (protocol/src/content-signing.ts, `HelpContentBody`): flow files by name and the images they show, as
 * base64, by their path relative to the flows folder (the schema: protocol/src/api/content.ts).
 */
export { contentBody, type ContentBody };

/** The largest body a version holds (JSON bytes); a device accepts at most 8 MiB (HELP_CONTENT_MAX_BYTES). */
export const CONTENT_BODY_MAX_BYTES = 8 * 1024 * 1024;

/** SHA-256 of the canonical body: the `contentSha256` the content signature covers. */
export function contentSha256(body: ContentBody): string {
  return createHash('sha256')
    .update(canonicalJson({ flows: body.flows, images: body.images }), 'utf8')
    .digest('hex');
}

/**
 * Every problem the protocol's flow validator finds in the body's flows, checked against the model's
 * profile and the body's own images: the same rules as `touchpoint flows validate` and a device.
 */
export function checkContent(body: ContentBody, profile: DeviceProfile | undefined): FlowProblem[] {
  const files = Object.entries(body.flows).map(([file, json]) => ({ file, json }));
  const images = new Set(Object.keys(body.images));
  return validateFlowSet(files, { ...(profile ? { profile } : {}), imageExists: (p) => images.has(p) }).problems;
}
