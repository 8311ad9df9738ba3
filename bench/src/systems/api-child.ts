import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { startApi } from '@touchpoint/broker';
import { serve } from '../ipc.js';
import { commandRoundHandlers } from './command-round-handlers.js';
import type { TouchpointInfo } from './system-protocol.js';

/**
 * `touchpoint api` in its own process for the cluster suite (issue 15): the console API on the
 * cluster, publishing commands through the engine. argv: the fleet's data folder, then the engine
 * nodes' AMQP ports. It answers the calls the commands suite's Touchpoint round makes of the
 * embedded broker's child: a command's round trip ends when its `succeeded`, stored by a fleet
 * worker, reaches this process's live bus through the live channel (what the console shows).
 */

const [dataDir, ...ports] = process.argv.slice(2);
if (!dataDir || ports.length === 0) throw new Error('usage: api-child DATA_DIR AMQP_PORT...');
const api = await startApi({
  endpoints: ports.map((port) => ({ protocol: 'amqp', hostname: '127.0.0.1', port: Number(port), vhost: '/' })),
  dataDir,
  modelsDirs: [DEFAULT_MODELS_DIR],
  httpPort: 0,
  log: 'silent',
  expirySweepMs: 60_000,
});
const { fleet } = api;
const agent = await fleet.staff.add('bench-agent', 'agent');

const info: TouchpointInfo = {
  pid: process.pid,
  port: 0,
  httpPort: api.httpPort,
  signer: fleet.signer,
  staff: { name: agent.staff.name, password: agent.password },
};

serve(
  {
    ...commandRoundHandlers(fleet),
    counters: () => api.counters.snapshot(),
  },
  info,
  () => api.close(),
);
