import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  describeIssues,
  engineAuthResourceRequest,
  engineAuthTopicRequest,
  engineAuthUserRequest,
  engineAuthVhostRequest,
} from '@touchpoint/protocol';
import type { z } from 'zod';
import type { Counters } from '../counters.js';
import { sendJson } from '../http/server.js';
import type { Logger } from '../logger.js';
import type { EngineAuth } from './decide.js';

/** Form bodies from RabbitMQ are a few hundred bytes; anything near this is not the engine. */
const BODY_LIMIT = 8 * 1024;

type Check = { schema: z.ZodType; decide: (auth: EngineAuth, request: never) => Promise<boolean> };

const CHECKS: Record<string, Check> = {
  '/auth/user': { schema: engineAuthUserRequest, decide: (auth, r) => auth.user(r) },
  '/auth/vhost': { schema: engineAuthVhostRequest, decide: (auth, r) => auth.vhost(r) },
  '/auth/resource': { schema: engineAuthResourceRequest, decide: (auth, r) => auth.resource(r) },
  '/auth/topic': { schema: engineAuthTopicRequest, decide: (auth, r) => auth.topic(r) },
};

function answer(res: ServerResponse, status: number, text: 'allow' | 'deny'): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': text.length, 'cache-control': 'no-store' });
  res.end(text);
}

/** The fields of a GET query or a POST form body (rabbitmq_auth_backend_http's `http_method`). */
async function readFields(req: IncomingMessage, url: URL): Promise<Record<string, string> | undefined> {
  if (req.method === 'GET') return Object.fromEntries(url.searchParams.entries());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')).entries());
}

/**
 * The HTTP side of `touchpoint engine-auth`: the four paths of RabbitMQ's HTTP auth backend
 * (answered `allow` or `deny`), and GET /health with the counters. A malformed request is a
 * refusal (400 `deny`, counted `engine.bad_request`); a failure inside a decision is a refusal
 * too (500 `deny`, counted and logged). Nothing thrown here reaches the process.
 */
export function createEngineAuthServer(auth: EngineAuth, counters: Counters, log: Logger): Server {
  return createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      counters.inc('engine.error');
      log.error('engine auth request failed; refused', {
        code: 'INTERNAL',
        reason: err instanceof Error ? err.message : String(err),
      });
      if (!res.headersSent) answer(res, 500, 'deny');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://engine-auth');
    if (req.method === 'GET' && url.pathname === '/health') {
      sendJson(res, 200, { ok: true, counters: counters.snapshot() });
      return;
    }
    const check = CHECKS[url.pathname];
    if (!check || (req.method !== 'GET' && req.method !== 'POST')) {
      counters.inc('engine.bad_request');
      answer(res, 404, 'deny');
      return;
    }
    const fields = await readFields(req, url);
    const parsed = fields ? check.schema.safeParse(fields) : undefined;
    if (!parsed?.success) {
      counters.inc('engine.bad_request');
      log.warn('engine auth request refused', {
        path: url.pathname,
        code: 'SCHEMA_INVALID',
        reason: parsed ? describeIssues(parsed.error) : `body larger than ${BODY_LIMIT} bytes`,
      });
      answer(res, 400, 'deny');
      return;
    }
    answer(res, 200, (await check.decide(auth, parsed.data as never)) ? 'allow' : 'deny');
  }
}
