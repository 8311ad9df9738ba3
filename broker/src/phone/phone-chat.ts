import { ErrorCode, TouchpointError, type ChatCustomerBody, type ChatEntryView } from '@touchpoint/protocol';
import { view } from '../chat/routes.js';
import type { Fleet } from '../fleet/fleet.js';

export type PhoneChatFleet = Pick<Fleet, 'cases' | 'chat' | 'staff'>;

const OPEN = new Set(['open', 'claimed']);

/** The device's case whose chat the phone shows: its newest case while it is open or claimed. */
export function openCaseOf(fleet: PhoneChatFleet, deviceId: string): string | undefined {
  const newest = fleet.cases.listForDevice(deviceId, 1)[0];
  return newest && OPEN.has(newest.status) ? newest.id : undefined;
}

/** The case's conversation as the console's chat API shows it. */
export async function chatItems(fleet: PhoneChatFleet, caseId: string): Promise<ChatEntryView[]> {
  const names = fleet.staff.displayNames();
  return (await fleet.chat.list(caseId)).map((r) => view(r, names));
}

/**
 * A customer message from the phone (issue 17): into the device's open case through the chat's own
 * function for the phone (same validation, store and live events as the device's, the phone's own rate limit).
 */
export async function sendFromPhone(fleet: PhoneChatFleet, deviceId: string, body: ChatCustomerBody): Promise<string> {
  const caseId = openCaseOf(fleet, deviceId);
  if (!caseId) throw new TouchpointError(ErrorCode.CONFLICT, 'there is no open case to write in');
  const stored = await fleet.chat.customerFromPhone(deviceId, caseId, body);
  if (!stored.ok) throw new TouchpointError(stored.code, stored.reason);
  return caseId;
}
