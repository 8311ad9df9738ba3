import { ExitCode, type CliCommand } from '@touchpoint/protocol';
import { createProcessLogger, parseCommandArgs, stderrSink } from '@touchpoint/runtime';
import { Command, FrameKind } from '../frame/constants.js';
import { encodeFrame } from '../frame/frame.js';
import { FrameParser } from '../frame/parser.js';
import { encodeRecords } from '../frame/records.js';
import { SerialTransport } from '../transport/serial-transport.js';
import { describeFrame, frameLine, timestamp } from './format.js';
import { baudOption } from './baud-option.js';

const usage = `Usage: touchpoint bridge monitor --port PATH [--baud N] [--json] [--subscribe]

Prints every frame decoded from the port, one line each, and every framing error with its reason and a
running count. Passive: it sends nothing unless --subscribe asks the MCU for unsolicited events.
Reopens the port by itself after an unplug. Stop with Ctrl-C.

Options:
  --port PATH     serial device, e.g. /dev/ttyUSB0 (required)
  --baud N        baud rate (default 115200)
  --json          one JSON object per line
  --subscribe     send SUBSCRIBE(events=true) whenever the link comes up`;

export const monitorCommand: CliCommand = {
  path: ['bridge', 'monitor'],
  summary: 'Print every decoded frame and framing error on a serial port',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        baud: { type: 'string', default: '115200' },
        json: { type: 'boolean', default: false },
        subscribe: { type: 'boolean', default: false },
      },
    });
    if (!values.port) {
      console.error(`touchpoint bridge monitor: --port is required\n\n${usage}`);
      return ExitCode.usage;
    }
    const baudRate = baudOption(values.baud);
    const json = values.json;
    const print = (text: string, object: Record<string, unknown>): void =>
      console.log(json ? JSON.stringify({ t: Date.now(), ...object }) : `${timestamp()} ${text}`);
    let errors = 0;
    let frames = 0;
    const parser = new FrameParser({
      onFrame(frame) {
        frames++;
        print(frameLine(frame), { type: 'frame', ...describeFrame(frame) });
      },
      onError(error) {
        errors++;
        print(`${error.code} ${error.reason} (${error.discarded} bytes dropped, framing errors: ${errors})`, {
          type: 'framing-error',
          code: error.code,
          reason: error.reason,
          discarded: error.discarded,
          count: errors,
        });
      },
    });
    const transport = new SerialTransport({
      path: values.port,
      baudRate,
      logger: createProcessLogger('bridge monitor', stderrSink, 'warn'),
    });
    transport.on('data', (chunk) => parser.push(chunk));
    transport.on('link', (state, reason) => {
      print(`link ${state}${reason ? ` (${reason})` : ''}`, { type: 'link', state, ...(reason ? { reason } : {}) });
      if (state === 'up' && values.subscribe) {
        transport
          .write(
            encodeFrame({
              kind: FrameKind.request,
              seq: 0,
              command: Command.subscribe,
              status: 0,
              body: encodeRecords([['events', true]]),
            }),
          )
          .catch(() => undefined);
      }
    });
    await transport.open();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await transport.close();
    console.error(`${frames} frames, ${errors} framing errors`);
    return ExitCode.ok;
  },
};
