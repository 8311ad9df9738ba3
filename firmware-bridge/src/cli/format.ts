import { FrameKind, commandName, kindNames, statusNames } from '../frame/constants.js';
import type { Frame } from '../frame/frame.js';
import { decodeRecords, recordsToObject } from '../frame/records.js';

/** One frame as one line (text) or one JSON object, for `bridge monitor` and `bridge call --verbose`. */
export function describeFrame(frame: Frame): {
  kind: string;
  seq: number;
  command: string;
  status?: string;
  body: unknown;
} {
  const decoded = decodeRecords(frame.body);
  return {
    kind: kindNames[frame.kind] ?? String(frame.kind),
    seq: frame.seq,
    command: commandName(frame.kind, frame.command),
    ...(frame.kind === FrameKind.response
      ? { status: statusNames[frame.status] ?? `0x${frame.status.toString(16)}` }
      : {}),
    body: decoded.ok ? recordsToObject(decoded.value) : { undecodable: decoded.reason },
  };
}

export function frameLine(frame: Frame): string {
  const d = describeFrame(frame);
  return `${d.kind.padEnd(8)} seq=${String(d.seq).padStart(3)} ${d.command}${d.status ? ` ${d.status}` : ''} ${JSON.stringify(d.body)}`;
}

export const timestamp = (): string => new Date().toISOString().slice(11, 23);
