import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { ContentPublisher } from './rollouts.js';

const PATH = /^\/content\/([A-Za-z0-9-]{1,64})\.json$/;

/**
 * GET /content/{versionId}.json: the signed help content document of an approved version, which devices fetch
 * for `help.install` (issue 18). No staff login: devices have none, and the document is what every device of
 * the model shows anyway; the maker's content signature and the command's SHA-256 protect it on the way.
 * Drafts, proposals and rejected versions are 404, as is everything else.
 */
export function contentDocumentHandler(
  fleet: Pick<Fleet, 'content'>,
  documents: () => ContentPublisher | undefined,
  log: Logger,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const signer = documents();
    const version = signer ? await fleet.content.get(match[1]!) : undefined;
    if (!signer || version?.status !== 'approved') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return true;
    }
    try {
      const { bytes } = signer.document(version);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': bytes.length,
        // The same version is the same bytes for good (content-documents.ts).
        'cache-control': 'public, max-age=31536000, immutable',
      });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    } catch (err) {
      log.error('content document not served', { code: 'INTERNAL', reason: (err as Error).message });
      res.writeHead(500).end();
    }
    return true;
  };
}
