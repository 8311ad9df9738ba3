import type { SignerKey } from '@touchpoint/protocol/signing';
import { signContentVersion, type ContentVersion, type SignedContentDocument } from '../content/index.js';
import type { PublishedContent } from './desired-state.js';
import type { ContentPublisher } from './rollouts.js';

/**
 * The signed help content documents of approved versions, as devices fetch them for `help.install` (issue 18).
 * Signed with the maker's content key at the moment the version was approved (or imported), so a version's
 * document is the same bytes, and so the same SHA-256, every time it is made: nothing to store, and the
 * desired state of a device names one document for good. Drafts and proposals are never signed
 * (signContentVersion refuses them).
 */
export class SignedContentDocuments implements ContentPublisher {
  constructor(
    private readonly key: SignerKey,
    /** Where devices fetch documents: an https origin in their `helpContent.origins` (device-agent.md). */
    private readonly baseUrl: string,
  ) {}

  document(version: ContentVersion): SignedContentDocument {
    return signContentVersion(version, this.key, version.reviewedAt ?? version.createdAt);
  }

  url(versionId: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}/content/${encodeURIComponent(versionId)}.json`;
  }

  publish(version: ContentVersion): Promise<PublishedContent> {
    return Promise.resolve({ sha256: this.document(version).sha256, url: this.url(version.id) });
  }
}
