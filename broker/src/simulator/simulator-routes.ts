import {
  ErrorCode,
  TouchpointError,
  simulatorControl,
  simulatorState,
  type SimulatorControlParsed,
  type SimulatorState,
} from '@touchpoint/protocol';
import { route, type Route } from '../http/router.js';

/**
 * The demo's simulated devices, as the broker sees them (issue 16). `touchpoint demo` passes one to
 * startBroker; a broker without it has no simulator routes, so the console shows no Simulator panel.
 */
export interface SimulatorBackend {
  /** The device's simulator state; undefined when the device is not simulated. */
  state(deviceId: string): SimulatorState | undefined;
  /** Applies one control; throws a TouchpointError (NOT_FOUND, BAD_PARAMS) for a control that cannot apply. */
  control(deviceId: string, control: SimulatorControlParsed): Promise<SimulatorState>;
}

function stateOf(backend: SimulatorBackend, deviceId: string): SimulatorState {
  const state = backend.state(deviceId);
  if (!state) throw new TouchpointError(ErrorCode.NOT_FOUND, `device ${deviceId} is not a simulated device`);
  return state;
}

/** GET and POST /api/devices/:id/simulator: any staff member sees it, agents drive it; every control is audited. */
export function simulatorRoutes(backend: SimulatorBackend | undefined): Route[] {
  if (!backend) return [];
  return [
    route({
      method: 'GET',
      path: '/api/devices/:id/simulator',
      role: 'viewer',
      action: 'simulator.view',
      response: simulatorState,
      handle: ({ params }) => stateOf(backend, params.id!),
    }),
    route({
      method: 'POST',
      path: '/api/devices/:id/simulator',
      role: 'agent',
      action: 'simulator.control',
      body: simulatorControl,
      response: simulatorState,
      handle: async ({ params, body, auth }, deps) => {
        const deviceId = params.id!;
        stateOf(backend, deviceId);
        const entry = { actor: auth.staff.id, actorRole: auth.staff.role, action: 'simulator.control', deviceId };
        try {
          const state = await backend.control(deviceId, body);
          await deps.fleet.audit.record({ ...entry, outcome: 'ok', detail: { ...body, via: 'console' } });
          return state;
        } catch (err) {
          const error = err instanceof TouchpointError ? err.code : ErrorCode.INTERNAL;
          await deps.fleet.audit.record({
            ...entry,
            outcome: 'failed',
            detail: { ...body, via: 'console', error, message: (err as Error).message },
          });
          throw err;
        }
      },
    }),
  ];
}
