import { fail, ok, ErrorCode, type Result, type SensorValue } from '@touchpoint/protocol';
import { EventCode } from '../frame/constants.js';
import type { Frame } from '../frame/frame.js';
import { decodeRecords, type RecordValue } from '../frame/records.js';

export type McuEvent =
  | { type: 'error.raised'; code: string }
  | { type: 'error.cleared'; code: string }
  | { type: 'progress'; action: string; percent: number; message?: string }
  | { type: 'action.done'; action: string; ok: boolean; reason?: string; output?: Record<string, unknown> }
  | { type: 'state'; sensors: Record<string, SensorValue> };

const RESERVED_DONE_KEYS = new Set(['action', 'ok', 'reason']);

/** Turns an EVENT frame into a typed event, or a named failure when its body does not fit. */
export function decodeEvent(frame: Frame): Result<McuEvent> {
  const decoded = decodeRecords(frame.body);
  if (!decoded.ok) return decoded;
  const fields: Record<string, RecordValue> = Object.fromEntries(decoded.value);
  const str = (key: string): string | undefined =>
    typeof fields[key] === 'string' ? (fields[key] as string) : undefined;
  switch (frame.command) {
    case EventCode.errorRaised:
    case EventCode.errorCleared: {
      const code = str('code');
      if (!code) return fail(ErrorCode.FRAME_MALFORMED, 'error event without a "code" string');
      return ok({ type: frame.command === EventCode.errorRaised ? 'error.raised' : 'error.cleared', code });
    }
    case EventCode.progress: {
      const action = str('action');
      const percent = fields.percent;
      if (!action || typeof percent !== 'number')
        return fail(ErrorCode.FRAME_MALFORMED, 'progress event needs "action" and "percent"');
      const message = str('message');
      return ok({
        type: 'progress',
        action,
        percent: Math.max(0, Math.min(100, percent)),
        ...(message ? { message } : {}),
      });
    }
    case EventCode.actionDone: {
      const action = str('action');
      if (!action || typeof fields.ok !== 'boolean')
        return fail(ErrorCode.FRAME_MALFORMED, 'action.done event needs "action" and "ok"');
      const reason = str('reason');
      const output = Object.fromEntries(decoded.value.filter(([key]) => !RESERVED_DONE_KEYS.has(key)));
      return ok({
        type: 'action.done',
        action,
        ok: fields.ok,
        ...(reason ? { reason } : {}),
        ...(Object.keys(output).length ? { output } : {}),
      });
    }
    case EventCode.state:
      return ok({ type: 'state', sensors: Object.fromEntries(decoded.value) });
    default:
      return fail(ErrorCode.UNKNOWN_COMMAND, `unknown event code 0x${frame.command.toString(16)}`);
  }
}
