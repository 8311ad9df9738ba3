import { resolve } from 'node:path';
import { parseCommandArgs } from '@touchpoint/runtime';
import {
  ExitCode,
  UsageError,
  simulatorControl,
  type CliCommand,
  type SimulatorSocketRequest,
  type SimulatorState,
} from '@touchpoint/protocol';
import { sendControl } from './control-socket.js';

const USAGE = `Usage: touchpoint demo sim DEVICE CONTROL [ARG] [--data-dir DIR] [--json]

Makes a simulated device of a running \`touchpoint demo\` misbehave on purpose, for a presenter
(the console's Simulator panel does the same). Every control is recorded in the audit log.

CONTROL is one of
  status                  show the device's errors, scenarios, network and serial link
  raise CODE              raise an error code of the model, e.g. raise E05
  clear CODE              clear it again
  scenario NAME           apply a scenario of the model's mcu-sim.json, e.g. scenario empty_tank
                          (the water tank runs empty) or scenario refill_tank
  unplug-serial [SECONDS] pull the serial cable between agent and MCU for SECONDS (default 30)
  offline | online        drop the device's network connection, or bring it back

Options:
  --data-dir DIR  the running demo's data dir (default ./.touchpoint, as \`touchpoint demo\`)
  --json          print the device's state as JSON

Only the user who runs the demo can drive it: the demo listens on a socket in DIR/demo/.
Exit codes: 0 done, 1 refused (no such device, code or scenario; no demo running), 2 usage error.`;

/** CONTROL [ARG] as typed, into the protocol's control (validated there). */
function controlOf(words: string[]): unknown {
  const [verb, arg, ...extra] = words;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
  switch (verb) {
    case 'raise':
    case 'clear':
      if (arg === undefined) throw new UsageError(`${verb} needs an error code, e.g. ${verb} E05`);
      return { control: verb, code: arg };
    case 'scenario':
      if (arg === undefined) throw new UsageError('scenario needs a name, e.g. scenario empty_tank');
      return { control: 'scenario', name: arg };
    case 'unplug-serial':
      return arg === undefined ? { control: 'unplug-serial' } : { control: 'unplug-serial', seconds: Number(arg) };
    case 'offline':
    case 'online':
      if (arg !== undefined) throw new UsageError(`${verb} takes no argument`);
      return { control: verb };
    case undefined:
    default:
      throw new UsageError(`unknown control "${verb ?? ''}"`);
  }
}

function describe(state: SimulatorState): string {
  const serial =
    state.serialUnpluggedUntil === undefined
      ? 'plugged in'
      : `unplugged until ${new Date(state.serialUnpluggedUntil).toISOString().slice(11, 19)} UTC`;
  return [
    `${state.deviceId} (${state.model}, simulated)`,
    `  errors:    ${state.errors.length ? state.errors.join(', ') : 'none'}`,
    `  network:   ${state.network}`,
    `  serial:    ${serial}`,
    `  scenarios: ${state.scenarios.join(', ')}`,
  ].join('\n');
}

export const demoSim: CliCommand = {
  path: ['demo', 'sim'],
  summary: "Drive a running demo's simulated device: raise/clear errors, scenarios, unplug, offline",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    const [deviceId, ...words] = positionals;
    if (deviceId === undefined || words.length === 0) throw new UsageError('expected DEVICE and CONTROL');
    let request: SimulatorSocketRequest;
    if (words.length === 1 && words[0] === 'status') request = { deviceId, state: true };
    else {
      const parsed = simulatorControl.safeParse(controlOf(words));
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
      request = { deviceId, control: parsed.data };
    }
    const dataDir = resolve(values['data-dir'] ?? process.env.TOUCHPOINT_DATA_DIR ?? '.touchpoint');
    const reply = await sendControl(dataDir, request);
    if (!reply.ok) {
      console.error(`touchpoint demo sim: ${reply.message} (${reply.code})`);
      return ExitCode.failure;
    }
    console.log(values.json ? JSON.stringify(reply.state, null, 2) : describe(reply.state));
    return ExitCode.ok;
  },
};
