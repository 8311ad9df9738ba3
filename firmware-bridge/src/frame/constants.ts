/**
 * Wire constants of the Touchpoint serial protocol, version 1.
 * docs/serial-protocol.md is the specification; firmware-bridge/c/tp_frame.h mirrors these values.
 */
export const PROTOCOL_VERSION = 1;

/** Byte 1 of every frame. */
export const FrameKind = {
  request: 0x01,
  response: 0x02,
  event: 0x03,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Byte 3 of requests and responses: what the host asks for. */
export const Command = {
  getInfo: 0x01,
  readSensors: 0x02,
  readErrors: 0x03,
  runAction: 0x04,
  subscribe: 0x05,
  ping: 0x06,
} as const;
export type Command = (typeof Command)[keyof typeof Command];

/** Byte 3 of unsolicited events from the MCU. */
export const EventCode = {
  errorRaised: 0x81,
  errorCleared: 0x82,
  progress: 0x83,
  actionDone: 0x84,
  state: 0x85,
} as const;
export type EventCode = (typeof EventCode)[keyof typeof EventCode];

/** Byte 4: 0 in requests and events; the outcome in responses. */
export const Status = {
  ok: 0x00,
  unknownCommand: 0x01,
  badRequest: 0x02,
  busy: 0x03,
  failed: 0x04,
  unknownAction: 0x05,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** version, kind, seq, command, status. */
export const HEADER_SIZE = 5;
export const CRC_SIZE = 2;
export const MIN_FRAME_SIZE = HEADER_SIZE + CRC_SIZE;
/** Largest decoded frame (header + body + CRC). An MCU needs two buffers of this size at most. */
export const MAX_FRAME_SIZE = 512;
export const MAX_BODY_SIZE = MAX_FRAME_SIZE - MIN_FRAME_SIZE;
/**
 * Largest COBS encoding of `frameSize` bytes, delimiters not counted: one code byte per run of 254 non-zero
 * bytes plus the final code byte (512 -> 515; the C codec's TP_MAX_ENCODED is the same formula).
 */
export const maxEncodedSize = (frameSize: number): number => frameSize + Math.floor(frameSize / 254) + 1;
/** A gap this long inside a partial frame marks a possible frame boundary (FrameParser); it never drops bytes. */
export const DEFAULT_INTER_BYTE_TIMEOUT_MS = 50;
/** Pause marks a parser keeps per block; the C codec's TP_MAX_PAUSE_MARKS. */
export const MAX_PAUSE_MARKS = 4;
/** The frame delimiter; COBS guarantees it never appears inside a frame. */
export const DELIMITER = 0x00;

export function commandName(kind: number, command: number): string {
  const table: Record<number, string> = kind === FrameKind.event ? eventNames : commandNames;
  return table[command] ?? `0x${command.toString(16).padStart(2, '0')}`;
}

const commandNames: Record<number, string> = Object.fromEntries(Object.entries(Command).map(([k, v]) => [v, k]));
const eventNames: Record<number, string> = Object.fromEntries(Object.entries(EventCode).map(([k, v]) => [v, k]));
export const kindNames: Record<number, string> = Object.fromEntries(Object.entries(FrameKind).map(([k, v]) => [v, k]));
export const statusNames: Record<number, string> = Object.fromEntries(Object.entries(Status).map(([k, v]) => [v, k]));
