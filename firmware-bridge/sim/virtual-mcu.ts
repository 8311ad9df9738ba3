import { EventEmitter } from 'node:events';
import type { DeviceProfile, SensorValue } from '@touchpoint/protocol';
import { Command, EventCode, FrameKind, Status } from '../src/frame/constants.js';
import { encodeFrame, type Frame } from '../src/frame/frame.js';
import { FrameParser } from '../src/frame/parser.js';
import { decodeRecords, encodeRecords, type Record_ } from '../src/frame/records.js';
import { faultConfig, holds, type FaultConfig, type SimConfig, type SimEffect } from './config.js';

export interface VirtualMcuOptions {
  profile: DeviceProfile;
  config: SimConfig;
  faults?: Partial<FaultConfig>;
  /** Overrides config.randomFaults.perMinute (the demo turns it on, tests keep it off). */
  randomFaultsPerMinute?: number;
  random?: () => number;
  /** Runs actions this many times faster (tests, impatient demos). Default 1. */
  speed?: number;
}

export interface VirtualMcuEvents {
  /** Bytes for the wire. */
  output: [bytes: Uint8Array];
  log: [line: string];
}

const toKey = (body: Uint8Array): string => Buffer.from(body).toString('hex');

interface Running {
  name: string;
  timers: NodeJS.Timeout[];
}

/**
 * Why an error came: `control` is on purpose (a control line, the demo's Simulator panel) and stays until
 * cleared; `spontaneous` came by itself (a random fault, a rule tripped by drift, the initial state) and
 * ends by itself when mcu-sim.json's `recovery` says how (issue 16).
 */
type Cause = 'control' | 'spontaneous';

/**
 * The MCU side of the protocol, simulated from a profile and a sim config. Transport-agnostic: feed it bytes
 * with receive(), send what it emits on `output`. Physical state is changed through the control methods.
 */
export class VirtualMcu extends EventEmitter<VirtualMcuEvents> {
  readonly sensors = new Map<string, SensorValue>();
  readonly errors = new Set<string>();
  faults: FaultConfig;
  subscribed = false;
  readonly counters = { requests: 0, framingErrors: 0, dropped: 0, corrupted: 0, split: 0, lostEvents: 0 };
  private readonly parser: FrameParser;
  private readonly random: () => number;
  private readonly changed = new Set<string>();
  private readonly replay: Array<{ seq: number; body: string; bytes: Uint8Array }> = [];
  private running: Running | undefined;
  private eventSeq = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private lastStateEvent = 0;
  private randomFaultsPerMinute: number;
  /** Simulated time in ms, advanced by tickMs on every tick, so fault lifetimes are deterministic in tests. */
  private clockMs = 0;
  /** Spontaneous errors that end by themselves: code -> simulated time at which they do. */
  private readonly lifetimes = new Map<string, number>();
  /** Errors raised by random faults and still active; at most randomFaults.maxActive. */
  private readonly randomFaultErrors = new Set<string>();
  /** Rule errors cleared on purpose while their rule still holds: not raised again until the rule lets go. */
  private readonly muted = new Set<string>();
  /** Whether each rule held at the last check: a rule error clears when its rule lets go, not merely because it does not hold. */
  private readonly ruleHeld = new Map<object, boolean>();
  /** A split frame's second part is pending: what the MCU sends meanwhile waits, as on a UART. */
  private holding: { timer: NodeJS.Timeout; queue: Uint8Array[] } | undefined;

  constructor(private readonly options: VirtualMcuOptions) {
    super();
    this.random = options.random ?? Math.random;
    this.faults = faultConfig.parse(options.faults ?? {});
    this.randomFaultsPerMinute = options.randomFaultsPerMinute ?? options.config.randomFaults.perMinute;
    for (const sensor of options.profile.sensors) {
      const initial = options.config.initial.sensors[sensor.id];
      this.sensors.set(
        sensor.id,
        initial ?? (sensor.type === 'number' ? (sensor.min ?? 0) : sensor.type === 'boolean' ? false : ''),
      );
    }
    for (const code of options.config.initial.errors) this.addError(code, 'spontaneous');
    this.applyRules('spontaneous');
    this.parser = new FrameParser({
      onFrame: (frame) => this.onFrame(frame),
      onError: (error) => {
        this.counters.framingErrors++;
        this.emit('log', `framing error ${error.code}: ${error.reason}`);
      },
    });
  }

  start(): void {
    if (this.tickTimer) return;
    this.tickTimer = setInterval(() => this.tick(), this.options.config.tickMs);
    this.tickTimer.unref();
  }

  stop(): void {
    clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    for (const timer of this.running?.timers ?? []) clearTimeout(timer);
    this.running = undefined;
    clearTimeout(this.holding?.timer);
    this.holding = undefined;
  }

  receive(bytes: Uint8Array): void {
    this.parser.push(bytes);
  }

  // ---- control: what happens to the physical device -------------------------------------------------------

  setSensor(id: string, value: SensorValue): void {
    if (!this.sensors.has(id)) throw new Error(`unknown sensor "${id}"`);
    this.sensors.set(id, value);
    this.changed.add(id);
    this.applyRules('control');
    this.flushState();
  }

  /** Raises an error on purpose: it stays until cleared or fixed, however long the demo runs. */
  raise(code: string): void {
    this.lifetimes.delete(code);
    this.muted.delete(code);
    this.addError(code, 'control');
  }

  /** Clears an error on purpose; one that follows a sensor stays cleared until its rule stops holding. */
  clear(code: string): void {
    if (this.options.config.rules.some((r) => r.raise === code && holds(r, this.sensors.get(r.sensor))))
      this.muted.add(code);
    this.clearError(code);
  }

  private clearError(code: string): void {
    this.lifetimes.delete(code);
    this.randomFaultErrors.delete(code);
    if (!this.errors.delete(code)) return;
    this.sendEvent(EventCode.errorCleared, [['code', code]]);
  }

  /** Applies a named scenario on purpose; the errors it causes stay until cleared or fixed. */
  scenario(name: string): void {
    const effect = this.scenarioEffect(name);
    // A scenario on purpose re-arms the rules on the sensors it sets: "scale_up" after an E05 cleared on purpose
    // raises E05 again, as the presenter asked.
    for (const rule of this.options.config.rules) if (rule.sensor in (effect.set ?? {})) this.muted.delete(rule.raise);
    this.apply(effect, {}, 'control');
  }

  /** The scenarios of mcu-sim.json, for a control surface to offer (the demo's Simulator panel). */
  scenarioNames(): string[] {
    return Object.keys(this.options.config.scenarios);
  }

  setFaults(faults: Partial<FaultConfig>): void {
    this.faults = faultConfig.parse({ ...this.faults, ...faults });
  }

  setRandomFaultRate(perMinute: number): void {
    this.randomFaultsPerMinute = perMinute;
  }

  snapshot(): {
    sensors: Record<string, SensorValue>;
    errors: string[];
    running?: string;
    faults: FaultConfig;
    counters: VirtualMcu['counters'];
    eventSeq: number;
  } {
    return {
      sensors: Object.fromEntries(this.sensors),
      errors: [...this.errors],
      ...(this.running ? { running: this.running.name } : {}),
      faults: this.faults,
      counters: { ...this.counters },
      eventSeq: this.eventSeq,
    };
  }

  // ---- protocol --------------------------------------------------------------------------------------------

  private onFrame(frame: Frame): void {
    if (frame.kind !== FrameKind.request) return;
    if (this.random() < this.faults.drop) {
      this.counters.dropped++;
      return;
    }
    this.counters.requests++;
    // A retried RUN_ACTION carries the same seq: answer from the replay buffer instead of running it twice.
    // Reads are idempotent and simply re-executed. SUBSCRIBE starts a new host session and empties the buffer.
    if (frame.command === Command.subscribe) this.replay.length = 0;
    const previous = frame.command === Command.runAction ? this.replay.find((r) => r.seq === frame.seq) : undefined;
    if (previous && previous.body === toKey(frame.body)) {
      this.write(previous.bytes);
      return;
    }
    const [status, records] = this.handle(frame);
    const bytes = encodeFrame({
      kind: FrameKind.response,
      seq: frame.seq,
      command: frame.command,
      status,
      body: encodeRecords(records),
    });
    if (frame.command === Command.runAction) {
      this.replay.push({ seq: frame.seq, body: toKey(frame.body), bytes });
      if (this.replay.length > 4) this.replay.shift();
    }
    this.write(bytes);
    if (frame.command === Command.runAction && status === Status.ok) this.startPendingAction();
  }

  private pendingStart: (() => void) | undefined;

  private handle(frame: Frame): [number, Record_[]] {
    const decoded = decodeRecords(frame.body);
    if (!decoded.ok) return [Status.badRequest, [['reason', decoded.reason]]];
    const records = decoded.value;
    switch (frame.command) {
      case Command.getInfo:
        return [
          Status.ok,
          [
            ['model', this.options.profile.model],
            ['serial', this.options.config.info.serial],
            ['firmware', this.options.config.info.firmware],
          ],
        ];
      case Command.readSensors:
        return [Status.ok, [...this.sensors]];
      case Command.readErrors:
        return [Status.ok, [...this.errors].map((code): Record_ => [code, true])];
      case Command.subscribe:
        this.subscribed = records.find(([k]) => k === 'events')?.[1] !== false;
        // event_seq: this MCU numbers its events; the next one carries eventSeq + 1 (docs/serial-protocol.md §4.1).
        return [Status.ok, [['event_seq', this.eventSeq]]];
      case Command.ping:
        return [Status.ok, records];
      case Command.runAction:
        return this.prepareAction(records);
      default:
        return [Status.unknownCommand, [['reason', `command 0x${frame.command.toString(16)} is unknown to this MCU`]]];
    }
  }

  private prepareAction(records: Record_[]): [number, Record_[]] {
    const [first, ...rest] = records;
    if (!first || first[0] !== 'action' || typeof first[1] !== 'string')
      return [Status.badRequest, [['reason', 'first record must be "action"']]];
    const name = first[1];
    const spec = this.options.config.actions[name];
    if (!spec || !this.options.profile.actions.some((a) => a.name === name && a.target === 'mcu'))
      return [Status.unknownAction, [['reason', `unknown action "${name}"`]]];
    if (this.running) return [Status.busy, [['reason', `busy running ${this.running.name}`]]];
    const params = Object.fromEntries(rest);
    this.pendingStart = () => this.runAction(name, params);
    return [Status.ok, []];
  }

  private startPendingAction(): void {
    const start = this.pendingStart;
    this.pendingStart = undefined;
    start?.();
  }

  private runAction(name: string, params: Record<string, SensorValue>): void {
    const spec = this.options.config.actions[name];
    if (!spec) return;
    for (const guard of spec.failIf) {
      if (holds(guard, this.sensors.get(guard.sensor))) {
        this.sendEvent(EventCode.actionDone, [
          ['action', name],
          ['ok', false],
          ['reason', guard.reason],
        ]);
        return;
      }
    }
    const running: Running = { name, timers: [] };
    this.running = running;
    const busy = this.options.config.busySensor;
    if (busy && spec.busyState) {
      this.sensors.set(busy.id, spec.busyState);
      this.changed.add(busy.id);
      this.applyRules('spontaneous');
      this.flushState();
    }
    const steps = spec.steps.length;
    const durationMs = spec.durationMs / (this.options.speed ?? 1);
    spec.steps.forEach((message, i) => {
      const at = (durationMs * i) / Math.max(steps, 1);
      running.timers.push(
        setTimeout(
          () =>
            this.sendEvent(EventCode.progress, [
              ['action', name],
              ['percent', Math.round((100 * i) / steps)],
              ['message', message],
            ]),
          at,
        ),
      );
    });
    running.timers.push(
      setTimeout(() => {
        this.running = undefined;
        if (busy && spec.busyState) this.sensors.set(busy.id, busy.idle);
        this.changed.add(busy?.id ?? '');
        this.apply(spec, params, 'spontaneous');
        if (steps > 0)
          this.sendEvent(EventCode.progress, [
            ['action', name],
            ['percent', 100],
          ]);
        this.sendEvent(EventCode.actionDone, [
          ['action', name],
          ['ok', true],
        ]);
      }, durationMs),
    );
  }

  private scenarioEffect(name: string): SimEffect {
    const effect = this.options.config.scenarios[name];
    if (!effect)
      throw new Error(`unknown scenario "${name}" (known: ${Object.keys(this.options.config.scenarios).join(', ')})`);
    return effect;
  }

  private addError(code: string, cause: Cause): void {
    if (this.errors.has(code)) return;
    this.errors.add(code);
    const recovery = this.options.config.recovery[code];
    if (cause === 'spontaneous' && recovery) {
      const { min, max } = recovery.afterS;
      this.lifetimes.set(code, this.clockMs + Math.round((min + this.random() * (max - min)) * 1000));
    }
    this.sendEvent(EventCode.errorRaised, [['code', code]]);
  }

  private apply(effect: SimEffect, params: Record<string, SensorValue>, cause: Cause): void {
    for (const [id, value] of Object.entries(effect.set)) {
      if (this.sensors.has(id)) {
        this.sensors.set(id, value);
        this.changed.add(id);
      }
    }
    for (const [id, param] of Object.entries(effect.setFromParams)) {
      const value = params[param];
      if (value !== undefined && this.sensors.has(id)) {
        this.sensors.set(id, value);
        this.changed.add(id);
      }
    }
    for (const code of effect.clear) this.clearError(code);
    for (const code of effect.raise) this.addError(code, cause);
    this.applyRules(cause);
    this.flushState();
  }

  private applyRules(cause: Cause): void {
    for (const rule of this.options.config.rules) {
      const active = holds(rule, this.sensors.get(rule.sensor));
      const held = this.ruleHeld.get(rule) ?? false;
      this.ruleHeld.set(rule, active);
      if (active && !this.muted.has(rule.raise)) this.addError(rule.raise, cause);
      else if (!active) {
        this.muted.delete(rule.raise);
        // Only the rule letting go fixes its error: E02 raised on purpose with a dry drip tray stays until cleared.
        if (held && this.errors.has(rule.raise)) this.clearError(rule.raise);
      }
    }
  }

  /** Ends the spontaneous errors whose time is up: their recovery scenario runs, then the error clears. Returns how many ended. */
  private recover(): number {
    let ended = 0;
    for (const [code, at] of [...this.lifetimes]) {
      if (at > this.clockMs) continue;
      this.lifetimes.delete(code);
      if (!this.errors.has(code)) continue;
      const scenario = this.options.config.recovery[code]?.scenario;
      this.emit('log', `fault ended by itself: ${code}${scenario ? ` (${scenario})` : ''}`);
      if (scenario) this.apply(this.scenarioEffect(scenario), {}, 'spontaneous');
      this.clear(code);
      ended++;
    }
    return ended;
  }

  /** Starts a random fault when one is due and fewer than randomFaults.maxActive are active. */
  private randomFault(): void {
    for (const code of this.randomFaultErrors) if (!this.errors.has(code)) this.randomFaultErrors.delete(code);
    const { scenarios: pool, maxActive } = this.options.config.randomFaults;
    const perTick = (this.randomFaultsPerMinute * this.options.config.tickMs) / 60_000;
    if (pool.length === 0 || this.randomFaultErrors.size >= maxActive || !(this.random() < perTick)) return;
    const name = pool[Math.floor(this.random() * pool.length)] as string;
    this.emit('log', `random fault: ${name}`);
    const before = new Set(this.errors);
    this.apply(this.scenarioEffect(name), {}, 'spontaneous');
    for (const code of this.errors) if (!before.has(code)) this.randomFaultErrors.add(code);
  }

  /** One step of simulated time: drift, fault lifetimes, random faults, rules. start() calls it every tickMs; tests call it to run hours at once. */
  tick(): void {
    this.clockMs += this.options.config.tickMs;
    for (const [id, drift] of Object.entries(this.options.config.drift)) {
      const current = this.sensors.get(id);
      if (typeof current !== 'number' || this.running) continue;
      const next = current + drift.trend + (this.random() * 2 - 1) * drift.step;
      const rounded = Number(Math.min(drift.max, Math.max(drift.min, next)).toFixed(drift.decimals));
      if (rounded !== current) {
        this.sensors.set(id, rounded);
        this.changed.add(id);
      }
    }
    // A fault never starts in the tick another one ended: the device is seen fine in between.
    if (this.recover() === 0) this.randomFault();
    this.applyRules('spontaneous');
    if (Date.now() - this.lastStateEvent >= this.options.config.stateEventMs) this.flushState();
  }

  private flushState(): void {
    const records = [...this.changed]
      .filter((id) => this.sensors.has(id))
      .map((id): Record_ => [id, this.sensors.get(id) as SensorValue]);
    this.changed.clear();
    this.lastStateEvent = Date.now();
    if (records.length > 0) this.sendEvent(EventCode.state, records);
  }

  private sendEvent(code: number, records: Record_[]): void {
    if (!this.subscribed) return;
    this.eventSeq = (this.eventSeq + 1) & 0xff;
    if (this.faults.dropEvents > 0) {
      this.faults = { ...this.faults, dropEvents: this.faults.dropEvents - 1 };
      this.counters.lostEvents++;
      this.emit('log', `fault: event seq ${this.eventSeq} (0x${code.toString(16)}) lost`);
      return;
    }
    this.write(
      encodeFrame({
        kind: FrameKind.event,
        seq: this.eventSeq,
        command: code,
        status: 0,
        body: encodeRecords(records),
      }),
      this.faults.splitMs,
    );
  }

  private write(bytes: Uint8Array, splitMs = 0): void {
    if (this.random() < this.faults.drop) {
      this.counters.dropped++;
      return;
    }
    let out = bytes;
    if (this.random() < this.faults.corrupt) {
      this.counters.corrupted++;
      out = bytes.slice();
      const i = 1 + Math.floor(this.random() * (out.length - 2));
      out[i] = (out[i] as number) ^ (1 << Math.floor(this.random() * 8)) || 0x01;
    }
    if (this.faults.delayMs > 0) setTimeout(() => this.emit('output', out), this.faults.delayMs);
    else this.output(out, splitMs);
  }

  /** Sends in order; with splitMs, the frame's first half now and the rest (and anything queued) after the pause. */
  private output(bytes: Uint8Array, splitMs: number): void {
    if (this.holding) {
      this.holding.queue.push(bytes);
      return;
    }
    if (splitMs <= 0 || bytes.length < 4) {
      this.emit('output', bytes);
      return;
    }
    this.counters.split++;
    const cut = bytes.length >> 1;
    this.emit('output', bytes.subarray(0, cut));
    const queue = [bytes.subarray(cut)];
    const timer = setTimeout(() => {
      this.holding = undefined;
      this.emit('output', Uint8Array.from(queue.flatMap((part) => [...part])));
    }, splitMs);
    this.holding = { timer, queue };
  }
}
