import type { SensorValue } from '@touchpoint/protocol';
import { FAULT_SYNTAX, parseFaults } from './config.js';
import type { VirtualMcu } from './virtual-mcu.js';

export const CONTROL_HELP = `Control lines (stdin of \`touchpoint mcu-sim\`, or VirtualMcuHandle.control()):
  set <sensor> <value>          change physical state, e.g. "set water_tank_level 100" (value: number, true/false or text)
  raise <code> | clear <code>   raise or clear an error code, e.g. "raise E05"
  scenario <name>               apply a named scenario from mcu-sim.json, e.g. "scenario refill_tank"
  faults ${FAULT_SYNTAX}
                                frame faults (P in 0..1); split: every event in two parts MS apart;
                                lose: the next N events are lost (a gap in their seq)
  random <perMinute>            rate of random realistic faults (0 = off)
  unplug <ms>                   simulate pulling the cable for ms milliseconds
  status                        print sensors, errors, faults, counters and the event seq as one JSON line`;

export interface ControlTarget {
  mcu: VirtualMcu;
  unplug(ms: number): Promise<void> | void;
}

/** Executes one control line; returns the reply line. Throws with a readable message on bad input. */
export async function runControl(target: ControlTarget, line: string): Promise<string> {
  const [verb, ...args] = line.trim().split(/\s+/);
  const { mcu } = target;
  switch (verb) {
    case 'set': {
      const [id, ...rest] = args;
      if (!id || rest.length === 0) throw new Error('usage: set <sensor> <value>');
      mcu.setSensor(id, parseValue(rest.join(' ')));
      return `ok ${id}=${JSON.stringify(mcu.sensors.get(id))}`;
    }
    case 'raise':
    case 'clear': {
      const code = args[0];
      if (!code) throw new Error(`usage: ${verb} <code>`);
      if (verb === 'raise') mcu.raise(code);
      else mcu.clear(code);
      return `ok ${verb} ${code}`;
    }
    case 'scenario': {
      const name = args[0];
      if (!name) throw new Error('usage: scenario <name>');
      mcu.scenario(name);
      return `ok scenario ${name}`;
    }
    case 'faults': {
      const parsed = parseFaults(args);
      if (!parsed.ok) throw new Error(parsed.reason);
      mcu.setFaults(parsed.faults);
      return `ok faults ${JSON.stringify(mcu.faults)}`;
    }
    case 'random': {
      const rate = Number(args[0]);
      if (Number.isNaN(rate) || rate < 0) throw new Error('usage: random <perMinute>');
      mcu.setRandomFaultRate(rate);
      return `ok random ${rate}/min`;
    }
    case 'unplug': {
      const ms = Number(args[0] ?? 1000);
      if (Number.isNaN(ms) || ms < 0) throw new Error('usage: unplug <ms>');
      await target.unplug(ms);
      return `ok unplugged for ${ms} ms`;
    }
    case 'status':
      return JSON.stringify(mcu.snapshot());
    case 'help':
    case undefined:
    case '':
      return CONTROL_HELP;
    default:
      throw new Error(`unknown control "${verb}"; try "help"`);
  }
}

function parseValue(text: string): SensorValue {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  return text.replace(/^"(.*)"$/, '$1');
}
