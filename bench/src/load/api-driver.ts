import { Agent, request } from 'node:http';
import { CSRF_HEADER } from '@touchpoint/protocol';
import { wallNow } from '../clock.js';
import { runOpenLoop } from './open-loop.js';
import type { ApiRunParams, ApiRunResult } from './loadgen-protocol.js';

/**
 * The console's side of a command: log in like the SPA (session cookie + CSRF
 * token), then POST /api/devices/:id/commands at a fixed open-loop rate over
 * keep-alive connections (Node's HTTP client and server both set TCP_NODELAY).
 */

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One POST. A keep-alive socket the server closes for idleness just as a request
 * goes out fails with ECONNRESET before the server read anything; Node's docs
 * advise retrying exactly that case (`req.reusedSocket`), once.
 */
function post(
  agent: Agent,
  port: number,
  path: string,
  body: string,
  headers: Record<string, string>,
  retried = false,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET')
        post(agent, port, path, body, headers, true).then(resolve, reject);
      else reject(err);
    });
    req.end(body);
  });
}

async function login(
  agent: Agent,
  port: number,
  name: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const res = await post(agent, port, '/api/login', JSON.stringify({ name, password }), {});
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body.slice(0, 200)}`);
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map((c) => c.split(';')[0]).join('; ');
  const csrf = (JSON.parse(res.body) as { csrfToken: string }).csrfToken;
  return { cookie, csrf };
}

export async function apiRun(p: ApiRunParams): Promise<ApiRunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  try {
    const session = await login(agent, p.httpPort, p.staff.name, p.staff.password);
    const headers = { cookie: session.cookie, [CSRF_HEADER]: session.csrf };
    const sent: ApiRunResult['sent'] = [];
    const errors: string[] = [];
    let failed = 0;
    const pending: Promise<void>[] = [];
    const body = JSON.stringify({ action: p.action, params: p.params });
    const loop = await runOpenLoop(p.rate, p.warmup + p.count, (i, scheduledAt) => {
      const deviceId = p.targets[i % p.targets.length]!;
      pending.push(
        post(agent, p.httpPort, `/api/devices/${encodeURIComponent(deviceId)}/commands`, body, headers).then(
          (res) => {
            if (res.status !== 201) {
              failed++;
              if (errors.length < 5) errors.push(`${res.status} ${res.body.slice(0, 200)}`);
              return;
            }
            sent.push({
              id: (JSON.parse(res.body) as { id: string }).id,
              scheduledAt,
              respondedAt: wallNow(),
              measured: i >= p.warmup,
            });
          },
          (err: unknown) => {
            failed++;
            if (errors.length < 5) errors.push((err as Error).message);
          },
        ),
      );
    });
    await Promise.all(pending);
    return { sent, failed, errors, maxLagMs: loop.maxLagMs };
  } finally {
    agent.destroy();
  }
}
