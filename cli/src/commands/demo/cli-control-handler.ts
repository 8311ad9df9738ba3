import { userInfo } from 'node:os';
import type { Fleet } from '@touchpoint/broker';
import type { ControlSocketHandler } from './control-socket.js';
import type { DemoSimulator } from './demo-simulator.js';

/**
 * What `touchpoint demo sim` reaches through the control socket: the demo's simulator, each control
 * audited as `simulator.control` (issue 16: every staff action audited). The socket's owner is the OS user
 * who runs the demo, so the actor is `local:<user>`, with `via: 'cli'` beside the console's `via: 'console'`.
 */
export function cliControlHandler(
  simulator: DemoSimulator,
  audit: Pick<Fleet['audit'], 'record'>,
  log: (line: string) => void,
): ControlSocketHandler {
  const actor = `local:${userInfo().username}`;
  return {
    state: (deviceId) => simulator.state(deviceId),
    async control(deviceId, control) {
      const entry = { actor, actorRole: 'operator', action: 'simulator.control', deviceId };
      try {
        const state = await simulator.control(deviceId, control);
        await audit.record({ ...entry, outcome: 'ok', detail: { ...control, via: 'cli' } });
        return state;
      } catch (err) {
        await audit.record({
          ...entry,
          outcome: 'failed',
          detail: { ...control, via: 'cli', message: (err as Error).message },
        });
        throw err;
      }
    },
    refused: (reason) => log(`simulator control refused: ${reason}`),
  };
}
