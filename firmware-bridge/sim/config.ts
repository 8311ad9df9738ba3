import { z } from 'zod';

/** A condition on one sensor, used by error rules and action guards. */
export const simCondition = z.object({
  sensor: z.string(),
  below: z.number().optional(),
  above: z.number().optional(),
  equals: z.union([z.number(), z.boolean(), z.string()]).optional(),
});
export type SimCondition = z.infer<typeof simCondition>;

const sensorValues = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]));

/** Physical state changes: what an action, a scenario or a fault does to the device. */
export const simEffect = z.object({
  set: sensorValues.default({}),
  /** Sensor <- action parameter, e.g. { "max_current": "amps" }. */
  setFromParams: z.record(z.string(), z.string()).default({}),
  raise: z.array(z.string()).default([]),
  clear: z.array(z.string()).default([]),
});
export type SimEffect = z.infer<typeof simEffect>;

export const simAction = simEffect.extend({
  durationMs: z.number().int().nonnegative().default(0),
  /** Value of the busy sensor while the action runs. */
  busyState: z.string().optional(),
  /** Progress messages, spread evenly over the duration. */
  steps: z.array(z.string()).default([]),
  /** The action fails (action.done ok=false) when one of these holds. */
  failIf: z.array(simCondition.extend({ reason: z.string() })).default([]),
});
export type SimAction = z.infer<typeof simAction>;

/**
 * `examples/<model>/mcu-sim.json`: how the virtual MCU behaves. The profile says what exists; this file says
 * how it moves.
 */
export const simConfig = z
  .object({
    info: z.object({ serial: z.string(), firmware: z.string() }),
    initial: z.object({ sensors: sensorValues, errors: z.array(z.string()).default([]) }),
    tickMs: z.number().int().positive().default(1000),
    /** Changed sensors are pushed as a `state` event at most this often. */
    stateEventMs: z.number().int().positive().default(2000),
    drift: z
      .record(
        z.string(),
        z.object({
          step: z.number().nonnegative().default(0),
          trend: z.number().default(0),
          min: z.number(),
          max: z.number(),
          decimals: z.number().int().min(0).max(4).default(1),
        }),
      )
      .default({}),
    /** Error codes that follow a sensor: raised while the condition holds, cleared when it stops holding. */
    rules: z.array(simCondition.extend({ raise: z.string() })).default([]),
    busySensor: z.object({ id: z.string(), idle: z.string() }).optional(),
    actions: z.record(z.string(), simAction).default({}),
    scenarios: z.record(z.string(), simEffect).default({}),
    randomFaults: z
      .object({
        perMinute: z.number().nonnegative().default(0),
        scenarios: z.array(z.string()).default([]),
        /**
         * At most this many errors raised by random faults are active at once; no new fault starts
         * before one ends (issue 16: faults piled up until every demo device was "critical").
         */
        maxActive: z.number().int().positive().default(1),
      })
      .default({ perMinute: 0, scenarios: [], maxActive: 1 }),
    /**
     * How an error that came by itself (a random fault, or a rule tripped by drift) ends by itself, as on a
     * real device someone empties the drip tray or refills the tank: after a random time within `afterS`
     * the `scenario` is applied and the error cleared. A fix or a `clear` ends it earlier. Errors raised on
     * purpose (control lines, the demo's Simulator panel) stay until cleared. Issue 16.
     */
    recovery: z
      .record(
        z.string(),
        z
          .object({
            afterS: z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() }),
            scenario: z.string().optional(),
          })
          .refine((r) => r.afterS.min <= r.afterS.max, { message: 'afterS.min must not exceed afterS.max' }),
      )
      .default({}),
  })
  .superRefine((config, ctx) => {
    const known = Object.keys(config.scenarios);
    config.randomFaults.scenarios.forEach((name, i) => {
      if (!Object.hasOwn(config.scenarios, name))
        ctx.addIssue({
          code: 'custom',
          path: ['randomFaults', 'scenarios', i],
          message: `no scenario "${name}" (known: ${known.join(', ')})`,
        });
    });
    for (const [code, recovery] of Object.entries(config.recovery)) {
      if (recovery.scenario !== undefined && !Object.hasOwn(config.scenarios, recovery.scenario))
        ctx.addIssue({
          code: 'custom',
          path: ['recovery', code, 'scenario'],
          message: `no scenario "${recovery.scenario}" (known: ${known.join(', ')})`,
        });
    }
  });
export type SimConfig = z.infer<typeof simConfig>;

/** Frame-level fault injection, applied to what the MCU sends (and drop also to what it receives). */
export const faultConfig = z.object({
  drop: z.number().min(0).max(1).default(0),
  corrupt: z.number().min(0).max(1).default(0),
  delayMs: z.number().int().nonnegative().default(0),
  /** Every event frame goes out in two parts this far apart; frames behind it wait (issue 13: a stalled host). */
  splitMs: z.number().int().nonnegative().default(0),
  /** The next N events are lost after they got their seq, so the host sees a gap in the numbering. */
  dropEvents: z.number().int().nonnegative().default(0),
});
export type FaultConfig = z.infer<typeof faultConfig>;

export const FAULT_SYNTAX = 'drop=P corrupt=P delay=MS split=MS lose=N';
const faultFields: Record<string, keyof FaultConfig> = {
  drop: 'drop',
  corrupt: 'corrupt',
  delay: 'delayMs',
  split: 'splitMs',
  lose: 'dropEvents',
};

/** Parses `key=value` fault settings (FAULT_SYNTAX), from the CLI's --faults or the `faults` control line. */
export function parseFaults(
  parts: string[],
): { ok: true; faults: Partial<FaultConfig> } | { ok: false; reason: string } {
  const raw: Record<string, number> = {};
  for (const part of parts) {
    const [key = '', value] = part.split('=');
    const field = faultFields[key];
    if (!field || value === undefined || value.trim() === '' || Number.isNaN(Number(value)))
      return { ok: false, reason: `bad fault "${part}" (${FAULT_SYNTAX})` };
    raw[field] = Number(value);
  }
  const parsed = faultConfig.partial().safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      reason: `bad faults: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    };
  return { ok: true, faults: Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) };
}

export function holds(condition: SimCondition, value: unknown): boolean {
  if (condition.equals !== undefined && value !== condition.equals) return false;
  if (condition.below !== undefined && !(typeof value === 'number' && value < condition.below)) return false;
  if (condition.above !== undefined && !(typeof value === 'number' && value > condition.above)) return false;
  return true;
}
