import { z } from 'zod';
import { safeId } from '../ids.js';

/**
 * The demo's simulated devices, driven on purpose by a presenter (issue 16): raise and clear an
 * error, apply a scenario of the model's mcu-sim.json (empty the water tank, trip the RCD), unplug
 * the serial link for a while, take the device offline and back. Sent by the console to
 * `POST /api/devices/:id/simulator` (staff role agent, audited) and by `touchpoint demo sim`
 * over the demo's control socket. Only a broker started by `touchpoint demo` serves it.
 */
const errorCode = z.string().regex(/^[A-Z][A-Z0-9_]{1,15}$/, 'must be an error code such as E05');
const scenarioName = z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'must be a scenario name such as empty_tank');

export const simulatorControl = z.discriminatedUnion('control', [
  z.object({ control: z.literal('raise'), code: errorCode }).strict(),
  z.object({ control: z.literal('clear'), code: errorCode }).strict(),
  z.object({ control: z.literal('scenario'), name: scenarioName }).strict(),
  /** The serial cable pulled for `seconds` (default 30); the bridge sees the port vanish and reopens it. */
  z.object({ control: z.literal('unplug-serial'), seconds: z.number().int().min(1).max(600).default(30) }).strict(),
  /** The device's network connection dropped (offline) or back (online); the touchscreen keeps running. */
  z.object({ control: z.literal('offline') }).strict(),
  z.object({ control: z.literal('online') }).strict(),
]);
export type SimulatorControl = z.input<typeof simulatorControl>;
export type SimulatorControlParsed = z.output<typeof simulatorControl>;

/** What a simulated device is doing, and what a presenter can do to it. */
export const simulatorState = z.object({
  deviceId: safeId,
  model: z.string(),
  /** Errors the virtual MCU holds right now. */
  errors: z.array(z.string()),
  /** The model's error codes, for the raise control. */
  codes: z.array(z.object({ code: z.string(), severity: z.enum(['info', 'warning', 'critical']), label: z.string() })),
  /** The scenarios of the model's mcu-sim.json, e.g. empty_tank, refill_tank. */
  scenarios: z.array(z.string()),
  /** The device's MQTT link, as the presenter left it. */
  network: z.enum(['online', 'offline']),
  /** Until when the serial cable is pulled (epoch ms); absent while plugged in. */
  serialUnpluggedUntil: z.number().int().optional(),
});
export type SimulatorState = z.infer<typeof simulatorState>;

/** One request line on the demo's control socket (`touchpoint demo sim`): a control, or only `state`. */
export const simulatorSocketRequest = z.union([
  z.object({ deviceId: safeId, state: z.literal(true) }).strict(),
  z.object({ deviceId: safeId, control: simulatorControl }).strict(),
]);
export type SimulatorSocketRequest = z.input<typeof simulatorSocketRequest>;

/** The one reply line: the device's state after the control, or a named error. */
export const simulatorSocketReply = z.union([
  z.object({ ok: z.literal(true), state: simulatorState }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type SimulatorSocketReply = z.infer<typeof simulatorSocketReply>;
