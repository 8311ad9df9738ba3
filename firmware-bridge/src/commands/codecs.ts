import {
  ErrorCode,
  TouchpointError,
  mcuInfo,
  type DeviceProfile,
  type McuInfo,
  type SensorValue,
} from '@touchpoint/protocol';
import { Status, statusNames } from '../frame/constants.js';
import type { Frame } from '../frame/frame.js';
import { decodeRecords, encodeRecords, recordsToObject, type Record_ } from '../frame/records.js';

/** Body decoding for each command's response. Throws TouchpointError so callers see one failure shape. */
export function recordsOf(frame: Frame): Record_[] {
  const result = decodeRecords(frame.body);
  if (!result.ok) throw new TouchpointError(result.code, result.reason);
  return result.value;
}

/** Maps a non-OK response status to an error; the body may carry a `reason` record. */
export function statusError(frame: Frame): TouchpointError {
  const decoded = decodeRecords(frame.body);
  const reason = decoded.ok ? recordsToObject(decoded.value).reason : undefined;
  const name = statusNames[frame.status] ?? `status 0x${frame.status.toString(16)}`;
  const text = `MCU answered ${name}${typeof reason === 'string' ? `: ${reason}` : ''}`;
  return new TouchpointError(
    frame.status === Status.unknownCommand ? ErrorCode.UNKNOWN_COMMAND : ErrorCode.MCU_ERROR,
    text,
    { status: frame.status, reason },
  );
}

export function decodeInfo(frame: Frame): McuInfo {
  const fields = recordsToObject(recordsOf(frame));
  const parsed = mcuInfo.safeParse({ model: fields.model, serial: fields.serial, firmwareVersion: fields.firmware });
  if (!parsed.success)
    throw new TouchpointError(ErrorCode.SCHEMA_INVALID, `GET_INFO response lacks model/serial/firmware strings`);
  return parsed.data;
}

/** Keeps the profile's sensors and reports the rest, so a firmware/profile mismatch is visible. */
export function decodeSensors(
  records: Record_[],
  profile: DeviceProfile,
  warn: (msg: string) => void,
): Record<string, SensorValue> {
  const known = new Map(profile.sensors.map((s) => [s.id, s.type]));
  const out: Record<string, SensorValue> = {};
  for (const [key, value] of records) {
    const type = known.get(key);
    if (type === undefined) {
      warn(`${ErrorCode.SCHEMA_INVALID}: MCU reported sensor "${key}" that profile ${profile.model} does not declare`);
    } else if (typeof value !== type) {
      warn(`${ErrorCode.SCHEMA_INVALID}: sensor "${key}" should be ${type}, MCU sent ${typeof value}`);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function decodeErrors(frame: Frame): string[] {
  return recordsOf(frame)
    .filter(([, active]) => active === true)
    .map(([code]) => code);
}

/**
 * `event_seq` in a SUBSCRIBE response: the seq of the last event the MCU sent (0-255). Its presence is how an MCU
 * says it numbers its events consecutively (docs/serial-protocol.md §4.1); older MCUs answer with an empty body.
 */
export function decodeEventSeq(records: Record_[]): number | undefined {
  const value = records.find(([key]) => key === EVENT_SEQ_KEY)?.[1];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;
}

export const EVENT_SEQ_KEY = 'event_seq';

export function encodeRunAction(name: string, params: Record<string, unknown>): Uint8Array {
  const records: Record_[] = [['action', name]];
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TouchpointError(ErrorCode.BAD_PARAMS, `param "${key}" must be a string, number or boolean`);
    }
    records.push([key, value]);
  }
  return encodeRecords(records);
}
