// Regenerates test/vectors/frames.json from the TypeScript codec: `npx tsx firmware-bridge/scripts/gen-vectors.ts`.
// The vectors are the byte-level examples in docs/serial-protocol.md; both codecs (TS and C) are tested against them.
import { writeFileSync } from 'node:fs';
import { Command, EventCode, FrameKind, Status } from '../src/frame/constants.js';
import { crc16 } from '../src/frame/crc16.js';
import { encodeFrame, frameBytes, toHex, type Frame } from '../src/frame/frame.js';
import { encodeRecords, type Record_ } from '../src/frame/records.js';

const hex = (b: Uint8Array): string => toHex(b);
const frames: Array<{ name: string; frame: Omit<Frame, 'body'> & { records: Record_[] } }> = [
  {
    name: 'get_info request',
    frame: { kind: FrameKind.request, seq: 1, command: Command.getInfo, status: 0, records: [] },
  },
  {
    name: 'get_info response',
    frame: {
      kind: FrameKind.response,
      seq: 1,
      command: Command.getInfo,
      status: Status.ok,
      records: [
        ['model', 'coffee-machine'],
        ['serial', 'CM-1'],
        ['firmware', '2.4.1'],
      ],
    },
  },
  {
    name: 'read_sensors response',
    frame: {
      kind: FrameKind.response,
      seq: 2,
      command: Command.readSensors,
      status: Status.ok,
      records: [
        ['water_tank_level', 72],
        ['boiler_temp', 92.5],
        ['drip_tray_full', false],
        ['machine_state', 'idle'],
      ],
    },
  },
  {
    name: 'read_errors response',
    frame: {
      kind: FrameKind.response,
      seq: 3,
      command: Command.readErrors,
      status: Status.ok,
      records: [['E05', true]],
    },
  },
  {
    name: 'run_action request',
    frame: {
      kind: FrameKind.request,
      seq: 4,
      command: Command.runAction,
      status: 0,
      records: [
        ['action', 'set_max_current'],
        ['amps', 16],
      ],
    },
  },
  {
    name: 'run_action busy',
    frame: {
      kind: FrameKind.response,
      seq: 5,
      command: Command.runAction,
      status: Status.busy,
      records: [['reason', 'busy']],
    },
  },
  {
    name: 'unknown command response',
    frame: { kind: FrameKind.response, seq: 6, command: 0x7f, status: Status.unknownCommand, records: [] },
  },
  {
    name: 'subscribe request',
    frame: { kind: FrameKind.request, seq: 7, command: Command.subscribe, status: 0, records: [['events', true]] },
  },
  {
    name: 'subscribe response (numbered events)',
    frame: {
      kind: FrameKind.response,
      seq: 7,
      command: Command.subscribe,
      status: Status.ok,
      records: [['event_seq', 8]],
    },
  },
  {
    name: 'progress event',
    frame: {
      kind: FrameKind.event,
      seq: 9,
      command: EventCode.progress,
      status: 0,
      records: [
        ['action', 'descale'],
        ['percent', 50],
      ],
    },
  },
  {
    name: 'action_done event',
    frame: {
      kind: FrameKind.event,
      seq: 10,
      command: EventCode.actionDone,
      status: 0,
      records: [
        ['action', 'descale'],
        ['ok', true],
      ],
    },
  },
  {
    name: 'error_raised event',
    frame: { kind: FrameKind.event, seq: 11, command: EventCode.errorRaised, status: 0, records: [['code', 'E03']] },
  },
  {
    name: 'ping with zeros (COBS)',
    frame: { kind: FrameKind.request, seq: 0, command: Command.ping, status: 0, records: [['z', 0]] },
  },
];

const valid = frames.map(({ name, frame }) => {
  const body = encodeRecords(frame.records);
  const full: Frame = { kind: frame.kind, seq: frame.seq, command: frame.command, status: frame.status, body };
  return {
    name,
    kind: frame.kind,
    seq: frame.seq,
    command: frame.command,
    status: frame.status,
    records: frame.records,
    body: hex(body),
    raw: hex(frameBytes(full)),
    wire: hex(encodeFrame(full)),
  };
});

// Invalid blocks: the bytes between two delimiters, and the error both parsers must report.
const good = frameBytes({
  kind: FrameKind.request,
  seq: 1,
  command: Command.getInfo,
  status: 0,
  body: new Uint8Array(),
});
const badCrc = good.slice();
badCrc[badCrc.length - 1] = (badCrc[badCrc.length - 1] as number) ^ 0x01;
const badVersion = good.slice();
badVersion[0] = 2;
const crc = crc16(badVersion, 0, badVersion.length - 2);
badVersion[badVersion.length - 2] = crc >> 8;
badVersion[badVersion.length - 1] = crc & 0xff;
const invalid = [
  { name: 'bad CRC', raw: hex(badCrc), error: 'FRAME_CRC' },
  { name: 'unsupported version', raw: hex(badVersion), error: 'FRAME_VERSION' },
  { name: 'too short', raw: '01 01 01', error: 'FRAME_MALFORMED' },
];

const out = {
  description:
    'Touchpoint serial protocol v1 test vectors. Hex strings, bytes separated by spaces. raw = frame before COBS, wire = 00 COBS(raw) 00.',
  crc: { algorithm: 'CRC-16/CCITT-FALSE', ascii: '123456789', value: crc16(new TextEncoder().encode('123456789')) },
  valid,
  invalid,
};
writeFileSync(new URL('../test/vectors/frames.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${valid.length} valid and ${invalid.length} invalid vectors`);
