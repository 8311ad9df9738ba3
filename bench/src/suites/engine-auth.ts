import { Agent, request } from 'node:http';
import { Child } from '../ipc.js';
import { cpuWindow } from '../proc-stats.js';
import { record, type PerSystem } from '../rows.js';
import type { EngineAuthInfo } from '../systems/engine-auth-child.js';
import type { BenchContext, BenchRow, BenchSuite, SuiteResult } from '../types.js';

/**
 * The auth hook of cluster mode (issue 15, "per-CPU-second costs ... the auth endpoint (goal ≥ 5,000
 * authentications per CPU-second)"): `touchpoint engine-auth` in its own process, asked the way
 * RabbitMQ's rabbitmq_auth_backend_http asks (form POSTs over keep-alive connections), by this
 * process. Logins with each device's token, and a topic check per publish. Two engine-auth
 * processes: caches off (`--identity-ttl-ms 0`, every ask reads the database and hashes the token)
 * and the default TTL (RabbitMQ's second ask per login, and the checks after it, from memory).
 */

const CONCURRENCY = 32;
const GOAL = '>= 5,000 per CPU-second (issue 15)';

function shape(quick: boolean) {
  return quick ? { devices: 200, requests: 1_000 } : { devices: 1_000, requests: 10_000 };
}

type Ask = (i: number) => { path: string; body: string };

/** One POST as RabbitMQ's backend sends it; resolves with the answer's text. */
function post(url: string, agent: Agent, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/auth/${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function drive(url: string, agent: Agent, total: number, ask: Ask): Promise<number> {
  let next = 0;
  let allowed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const { path, body } = ask(next++);
        if ((await post(url, agent, path, body)) === 'allow') allowed++;
      }
    }),
  );
  return allowed;
}

export const suite: BenchSuite = {
  name: 'engine-auth',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const s = shape(ctx.quick);
    const systems = [
      { label: 'engine-auth, caches off', ttlMs: 0 },
      { label: 'engine-auth, default TTL', ttlMs: 10_000 },
    ];
    const logins: PerSystem = new Map();
    const topics: PerSystem = new Map();
    const skipped: string[] = [];
    for (const system of systems) {
      const child = await Child.spawn<EngineAuthInfo>(
        new URL('../systems/engine-auth-child.ts', import.meta.url),
        system.label,
        { args: [String(system.ttlMs)] },
      );
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      try {
        const devices = await child.call<{ id: string; token: string }[]>('provision', {
          prefix: 'ea-',
          count: s.devices,
        });
        const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
        const login: Ask = (i) => {
          const d = devices[i % devices.length]!;
          return { path: 'user', body: form({ username: d.id, password: d.token, vhost: '/', client_id: d.id }) };
        };
        const topic: Ask = (i) => {
          const d = devices[i % devices.length]!;
          return {
            path: 'topic',
            body: form({
              username: d.id,
              vhost: '/',
              resource: 'topic',
              name: 'amq.topic',
              permission: 'write',
              routing_key: `tp.v1.d.${d.id}.diag`,
              'variable_map.client_id': d.id,
            }),
          };
        };
        // Warm-up: the JIT and the connections, not measured.
        await drive(child.info.url, agent, Math.min(500, s.requests), login);
        for (let round = 0; round < ctx.rounds; round++) {
          for (const [name, ask, values] of [
            ['logins', login, logins],
            ['topic checks', topic, topics],
          ] as const) {
            const window = cpuWindow(child.info.pid);
            const allowed = await drive(child.info.url, agent, s.requests, ask);
            const { cpuMs, wallMs } = window.stop();
            if (allowed !== s.requests) skipped.push(`${system.label}: ${s.requests - allowed} ${name} were refused`);
            const perCpu = cpuMs > 0 ? s.requests / (cpuMs / 1000) : Number.NaN;
            record(values, system.label, round, perCpu);
            ctx.log(
              `engine-auth round ${round + 1}/${ctx.rounds} ${system.label}: ${name} ${Math.round(perCpu)} per CPU-s (${Math.round(s.requests / (wallMs / 1000))}/s wall)`,
            );
          }
        }
      } finally {
        agent.destroy();
        await child.stop();
      }
    }
    const rows: BenchRow[] = [];
    for (const [metric, values] of [
      ['authentications per CPU-second (/auth/user)', logins],
      ['topic checks per CPU-second (/auth/topic)', topics],
    ] as const)
      for (const system of systems) {
        const v = values.get(system.label);
        if (v) rows.push({ metric, unit: '/CPU-s', system: system.label, rounds: v, higherIsBetter: true, goal: GOAL });
      }
    return {
      suite: 'engine-auth',
      loadShape: [
        `${s.devices} provisioned devices; per round ${s.requests} logins (each device's token, its id as client id) and ${s.requests} topic checks (a publish on its own diag), POSTed as rabbitmq_auth_backend_http sends them over ${CONCURRENCY} keep-alive connections.`,
        `CPU of the engine-auth process only, from /proc/<pid>/stat over each batch; ${ctx.rounds} rounds after a warm-up.`,
      ].join(' '),
      rows,
      ...(skipped.length > 0 ? { skipped } : {}),
    };
  },
};
