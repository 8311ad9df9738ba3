import type { DeviceEventMessage, LinkState } from '@touchpoint/protocol';
import type { McuEvent } from '../../bridge/mcu-bridge.js';

export interface McuHistoryEntry {
  at: number;
  type: 'error.raised' | 'error.cleared' | 'link';
  code?: string;
}

export interface HelpSessionEntry {
  sessionId: string;
  flowId: string;
  startedAt: number;
  steps: number;
  outcome?: 'resolved' | 'escalated' | 'abandoned';
}

const MAX_MCU_EVENTS = 2_000;
const MAX_SESSIONS = 200;

/**
 * What the agent remembers for support bundles (issue 17) since it started: MCU errors raised and cleared,
 * link changes, and a summary of each help session (flow, steps, outcome; never what the customer chose).
 * In memory and bounded: the oldest go first.
 */
export class BundleHistory {
  private readonly mcu: McuHistoryEntry[] = [];
  private readonly sessions = new Map<string, HelpSessionEntry>();

  mcuEvent(event: McuEvent, at: number): void {
    if (event.type !== 'error.raised' && event.type !== 'error.cleared') return;
    this.pushMcu({ at, type: event.type, code: event.code.slice(0, 16) });
  }

  link(state: LinkState, at: number): void {
    this.pushMcu({ at, type: 'link', code: state });
  }

  reported(message: DeviceEventMessage): void {
    const e = message.event;
    if (e.type !== 'help') return;
    let s = this.sessions.get(e.sessionId);
    if (!s) {
      s = { sessionId: e.sessionId, flowId: e.flowId, startedAt: e.entry.at, steps: 0 };
      this.sessions.set(e.sessionId, s);
      if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    }
    if (e.entry.kind === 'step') s.steps += 1;
    if (e.entry.kind === 'outcome') s.outcome = e.entry.outcome;
  }

  mcuBetween(from: number, to: number): McuHistoryEntry[] {
    return this.mcu.filter((e) => e.at >= from && e.at <= to);
  }

  sessionsBetween(from: number, to: number): HelpSessionEntry[] {
    return [...this.sessions.values()].filter((s) => s.startedAt >= from && s.startedAt <= to);
  }

  private pushMcu(entry: McuHistoryEntry): void {
    this.mcu.push(entry);
    if (this.mcu.length > MAX_MCU_EVENTS) this.mcu.splice(0, this.mcu.length - MAX_MCU_EVENTS);
  }
}
