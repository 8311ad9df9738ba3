import { z } from 'zod';
import { localizedText } from './messages/base.js';

/**
 * A device model's profile (`examples/<model>/profile.json`): its sensors,
 * error codes and MCU actions with typed parameters. The bridge, the agent's
 * allow-list, the flow validator and the console's fix form all read it.
 */
const name = z
  .string()
  .regex(/^[a-z][a-z0-9_.]{0,47}$/, 'must be lower_snake_case (a-z, 0-9, _ and .), starting with a letter');

export const sensorSpec = z.object({
  id: name,
  type: z.enum(['number', 'boolean', 'string']),
  unit: z.string().max(16).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  label: localizedText,
});
export type SensorSpec = z.infer<typeof sensorSpec>;

export const errorSpec = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,15}$/, 'must be an upper-case code such as E05'),
  severity: z.enum(['info', 'warning', 'critical']),
  label: localizedText,
});
export type ErrorSpec = z.infer<typeof errorSpec>;

export const paramSpec = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('number'),
    min: z.number().optional(),
    max: z.number().optional(),
    default: z.number().optional(),
    required: z.boolean().default(true),
    label: localizedText,
  }),
  z.object({
    type: z.literal('integer'),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    default: z.number().int().optional(),
    required: z.boolean().default(true),
    label: localizedText,
  }),
  z.object({
    type: z.literal('boolean'),
    default: z.boolean().optional(),
    required: z.boolean().default(true),
    label: localizedText,
  }),
  z.object({
    type: z.literal('string'),
    maxLength: z.number().int().positive().max(256).default(64),
    default: z.string().optional(),
    required: z.boolean().default(true),
    label: localizedText,
  }),
  z.object({
    type: z.literal('enum'),
    values: z.array(z.string().min(1).max(64)).min(1),
    default: z.string().optional(),
    required: z.boolean().default(true),
    label: localizedText,
  }),
]);
export type ParamSpec = z.infer<typeof paramSpec>;

export const actionSpec = z.object({
  name,
  label: localizedText,
  description: localizedText.optional(),
  /** Where it runs: on the MCU through the bridge, or in the agent itself. */
  target: z.enum(['mcu', 'agent']).default('mcu'),
  params: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), paramSpec).default({}),
  /** A condition (CEL) over `sensors` and `errors` that must hold before the action may run. */
  precondition: z.string().max(512).optional(),
  /** Shown to the customer and the agent before they confirm. */
  estimatedSeconds: z.number().int().nonnegative().optional(),
  /** Whether support staff may push it remotely; customer-only fixes set this to false. */
  remote: z.boolean().default(true),
  /**
   * Set for an action that needs the customer at the device (hot water, moving parts, a restart in use):
   * why, in the customer's words. Pushed by staff, it waits for the customer's "Allow" on the touchscreen,
   * unless the customer has allowed remote control for a while (issue 16).
   */
  needsCustomer: localizedText.optional(),
  /**
   * Where the customer may confirm this action in a help flow (issue 17, the phone as a touchpoint):
   * `device` only on the touchscreen, `device-or-phone` also on their phone. Absent: `device` for an
   * action that `needsCustomer` (they must be at the machine), else `device-or-phone`.
   */
  confirmOn: z.enum(['device', 'device-or-phone']).optional(),
});
export type ActionSpec = z.infer<typeof actionSpec>;

/** Whether a help flow's confirmation of this action may come from the customer's phone (see `confirmOn`). */
export function mayConfirmOnPhone(action: Pick<ActionSpec, 'confirmOn' | 'needsCustomer'>): boolean {
  return (action.confirmOn ?? (action.needsCustomer ? 'device' : 'device-or-phone')) === 'device-or-phone';
}

export const deviceProfile = z.object({
  model: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'must be kebab-case, such as coffee-machine'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be semver, such as 1.0.0'),
  name: localizedText,
  /**
   * What the customer calls the thing, for short labels on the touchscreen ("Kaffeemaschine verbunden",
   * "Wallbox connected"); capitalised as it starts a label. Absent: "Gerät" / "Device" (issue 16).
   */
  displayNoun: localizedText.optional(),
  manufacturer: z.string().max(64).optional(),
  capabilities: z
    .object({ camera: z.boolean().default(false), microphone: z.boolean().default(true) })
    .default({ camera: false, microphone: true }),
  sensors: z.array(sensorSpec).min(1),
  errors: z.array(errorSpec),
  actions: z.array(actionSpec),
});
export type DeviceProfile = z.infer<typeof deviceProfile>;

function paramSchema(spec: ParamSpec): z.ZodType {
  switch (spec.type) {
    case 'number': {
      let s = z.number();
      if (spec.min !== undefined) s = s.min(spec.min);
      if (spec.max !== undefined) s = s.max(spec.max);
      return s;
    }
    case 'integer': {
      let s = z.number().int();
      if (spec.min !== undefined) s = s.min(spec.min);
      if (spec.max !== undefined) s = s.max(spec.max);
      return s;
    }
    case 'boolean':
      return z.boolean();
    case 'string':
      return z.string().max(spec.maxLength);
    case 'enum':
      return z.enum(spec.values as [string, ...string[]]);
  }
}

const paramsSchemas = new WeakMap<ActionSpec, z.ZodType<Record<string, unknown>>>();

/** The zod schema for an action's params, built from its profile entry (once per action). Unknown params are rejected. */
export function actionParamsSchema(action: ActionSpec): z.ZodType<Record<string, unknown>> {
  let schema = paramsSchemas.get(action);
  if (!schema) paramsSchemas.set(action, (schema = buildParamsSchema(action)));
  return schema;
}

/**
 * The params an action runs with: the given ones, and each missing one that has a profile
 * default set to it, so the MCU always receives every param explicitly. One rule for the
 * agent's command check, the bridge and help-flow action steps (issue 14: three copies before).
 */
export function withParamDefaults(
  action: ActionSpec,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  for (const [key, spec] of Object.entries(action.params)) {
    if (out[key] === undefined && spec.default !== undefined) out[key] = spec.default;
  }
  return out;
}

function buildParamsSchema(action: ActionSpec): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of Object.entries(action.params)) {
    const base = paramSchema(spec);
    shape[key] = spec.required && spec.default === undefined ? base : base.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown>>;
}

export function findAction(profile: DeviceProfile, actionName: string): ActionSpec | undefined {
  return profile.actions.find((a) => a.name === actionName);
}
