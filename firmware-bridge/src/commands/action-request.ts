import {
  ErrorCode,
  TouchpointError,
  actionParamsSchema,
  describeIssues,
  findAction,
  withParamDefaults,
  type ActionSpec,
  type DeviceProfile,
} from '@touchpoint/protocol';
import { encodeRunAction } from './codecs.js';

/**
 * A RUN_ACTION request body for one of the profile's MCU actions, with its params checked
 * against the action's schema and defaults filled in. Unknown or agent-side actions are
 * UNKNOWN_ACTION, params that do not fit are BAD_PARAMS.
 */
export function actionRequest(
  profile: DeviceProfile,
  name: string,
  params: Record<string, unknown>,
): { spec: ActionSpec; body: Uint8Array } {
  const spec = findAction(profile, name);
  if (!spec) throw new TouchpointError(ErrorCode.UNKNOWN_ACTION, `profile ${profile.model} has no action "${name}"`);
  if (spec.target !== 'mcu')
    throw new TouchpointError(ErrorCode.UNKNOWN_ACTION, `action "${name}" runs in the agent, not on the MCU`);
  const parsed = actionParamsSchema(spec).safeParse(params);
  if (!parsed.success)
    throw new TouchpointError(ErrorCode.BAD_PARAMS, `action "${name}": ${describeIssues(parsed.error)}`);
  return { spec, body: encodeRunAction(name, withParamDefaults(spec, parsed.data)) };
}
