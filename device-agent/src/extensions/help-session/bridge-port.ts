import { actionParamsSchema, describeIssues, ErrorCode, findAction, type DeviceProfile } from '@touchpoint/protocol';
import type { McuBridge } from '../../bridge/mcu-bridge.js';
import type { HelpPort } from '../../help/port.js';
import type { AgentActionRegistry } from '../commands/agent-actions.js';

export interface BridgePortDeps {
  /** Read at call time: the bridge object may be swapped by a restart. */
  bridge: () => Pick<McuBridge, 'readSensors' | 'readErrors' | 'runAction'>;
  profile: DeviceProfile;
  actions: AgentActionRegistry;
}

/**
 * The flow engine's port on a real device: sensors and errors from the MCU,
 * actions on the MCU (with its progress) or in the agent (`target: "agent"`).
 * Params are checked against the profile here too, so a flow can never send
 * the MCU something its schema does not allow.
 */
export function createBridgePort({ bridge, profile, actions }: BridgePortDeps): HelpPort {
  return {
    readSensors: () => bridge().readSensors(),
    readErrors: () => bridge().readErrors(),
    async runAction(name, params, onProgress) {
      const spec = findAction(profile, name);
      if (!spec)
        return { ok: false, reason: `${ErrorCode.UNKNOWN_ACTION}: ${name} is not in profile ${profile.model}` };
      const parsed = actionParamsSchema(spec).safeParse(params);
      if (!parsed.success) return { ok: false, reason: `${ErrorCode.BAD_PARAMS}: ${describeIssues(parsed.error)}` };
      if (spec.target === 'agent') {
        const handler = actions.get(name);
        if (!handler) return { ok: false, reason: `${ErrorCode.UNKNOWN_ACTION}: no agent handler for ${name}` };
        try {
          await handler(parsed.data, {});
          onProgress(100);
          return { ok: true };
        } catch (err) {
          return { ok: false, reason: (err as Error).message };
        }
      }
      const result = await bridge().runAction(name, parsed.data, { onProgress: (p) => onProgress(p.percent) });
      return result.ok ? { ok: true } : { ok: false, reason: result.reason ?? 'the MCU reported a failure' };
    },
  };
}
