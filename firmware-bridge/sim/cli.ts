import { createInterface } from 'node:readline';
import { numberOption, parseCommandArgs } from '@touchpoint/runtime';
import { ExitCode, type CliCommand } from '@touchpoint/protocol';
import { baudOption } from '../src/cli/baud-option.js';
import { parseFaults } from './config.js';
import { CONTROL_HELP } from './control.js';
import { loadModel } from './model.js';
import { startVirtualMcu } from './start.js';

const usage = `Usage: touchpoint mcu-sim --profile DIR (--port PATH | --pty) [options]

Runs a virtual MCU that speaks the Touchpoint serial protocol, simulating the device described by
DIR/profile.json and DIR/mcu-sim.json (e.g. examples/coffee-machine).

Options:
  --profile DIR          model directory with profile.json and mcu-sim.json (required)
  --port PATH            attach to an existing serial port or pty end
  --pty                  create a socat pty pair and print the path the bridge should open
  --baud N               baud rate (default 115200; a pty ignores it)
  --faults SPEC          frame faults, e.g. drop=0.05,corrupt=0.01,delay=20,split=300,lose=1
  --random-faults N      random realistic device faults per minute (default from mcu-sim.json, 0)
  --speed N              run actions N times faster (default 1)

Prints "device-path: PATH" once ready. Reads control lines on stdin, one reply line each:
${CONTROL_HELP}

Stops on SIGINT/SIGTERM and removes the pty pair.`;

export const mcuSimCommand: CliCommand = {
  path: ['mcu-sim'],
  summary: 'Run a virtual MCU on a serial port or a new pty pair',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        port: { type: 'string' },
        pty: { type: 'boolean', default: false },
        baud: { type: 'string', default: '115200' },
        faults: { type: 'string' },
        'random-faults': { type: 'string' },
        speed: { type: 'string', default: '1' },
      },
    });
    if (!values.profile || (!values.port && !values.pty) || (values.port && values.pty)) {
      console.error(`touchpoint mcu-sim: give --profile and exactly one of --port or --pty\n\n${usage}`);
      return ExitCode.usage;
    }
    const baudRate = baudOption(values.baud);
    const speed = numberOption(values.speed, '--speed', { min: 0, minExclusive: true });
    const randomFaults =
      values['random-faults'] === undefined
        ? undefined
        : numberOption(values['random-faults'], '--random-faults', { min: 0 });
    const { profile, config } = await loadModel(values.profile);
    const parsedFaults = values.faults ? parseFaults(values.faults.split(',')) : undefined;
    if (parsedFaults && !parsedFaults.ok) {
      console.error(`touchpoint mcu-sim: ${parsedFaults.reason}`);
      return ExitCode.usage;
    }
    const handle = await startVirtualMcu({
      profile,
      config,
      ...(values.port ? { path: values.port } : { pty: true }),
      baudRate,
      speed,
      ...(parsedFaults?.ok ? { faults: parsedFaults.faults } : {}),
      ...(randomFaults !== undefined ? { randomFaultsPerMinute: randomFaults } : {}),
      log: (line) => console.error(`mcu-sim: ${line}`),
    });
    const devicePath = handle.devicePath ?? values.port;
    console.log(`device-path: ${devicePath}`);
    console.error(`mcu-sim: ${profile.model} ready. Try: npx touchpoint bridge call --port ${devicePath} sensors`);

    const lines = createInterface({ input: process.stdin, terminal: false });
    lines.on('line', (line) => {
      if (!line.trim()) return;
      handle.control(line).then(
        (reply) => console.log(reply),
        (err: unknown) => console.log(`error ${(err as Error).message}`),
      );
    });
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    lines.close();
    await handle.stop();
    return ExitCode.ok;
  },
};
