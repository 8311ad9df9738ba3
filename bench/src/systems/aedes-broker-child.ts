import { Aedes } from 'aedes';
import { createServer } from 'node:net';
import { serve } from '../ipc.js';
import type { BaselineInfo } from './system-protocol.js';
import { windowProfiler } from './window-profiler.js';
import { loopStalls } from './loop-stalls.js';

/**
 * The bare-aedes baseline: the same aedes version Touchpoint uses, default
 * in-memory persistence, no authenticate/authorize hooks, in its own process.
 * TCP_NODELAY is on, as in the Touchpoint broker, so the two differ only in
 * what Touchpoint adds.
 */
const aedes = await Aedes.createBroker();
const server = createServer((socket) => {
  socket.setNoDelay(true);
  aedes.handle(socket);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const info: BaselineInfo = { pid: process.pid, port: typeof address === 'object' && address ? address.port : 0 };

serve({ gc: () => (globalThis as { gc?: () => void }).gc?.(), ...windowProfiler, ...loopStalls }, info, async () => {
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  server.close();
});
