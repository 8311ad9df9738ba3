import {
  ErrorCode,
  distanceToOutcome,
  evaluateCondition,
  evaluateConditionSource,
  fail,
  findAction,
  localize,
  ok,
  parseCondition,
  type ActionStep,
  type DeviceProfile,
  type FlowStep,
  type HelpFlow,
  type HelpResolution,
  type HelpTraceEntry,
  type LocalizedText,
  type ParsedCondition,
  type Result,
  type SensorValue,
  withParamDefaults,
} from '@touchpoint/protocol';
import { SafeEventEmitter } from '@touchpoint/runtime';
import type { HelpPort } from './port.js';
import type { HelpScreen, ScreenView } from './screen.js';
import { defaultTexts } from './texts.js';

export type HelpTrigger = 'menu' | 'error' | 'support';

export interface FlowSessionOptions {
  flow: HelpFlow;
  profile: DeviceProfile;
  port: HelpPort;
  /** Milliseconds since the epoch; the engine has no clock of its own. */
  now: () => number;
  locale: string;
  sessionId: string;
  /** How the customer got here; `error` goes with `errorCode`. */
  trigger?: HelpTrigger;
  errorCode?: string;
  /** Called for each trace entry as it happens, so the agent can publish it live. */
  onTrace?: (entry: HelpTraceEntry) => void;
  /** Called when a listener or onTrace throws; the engine carries on. Defaults to console.error. */
  onListenerError?: (err: unknown) => void;
  /** Longest run of check steps without a screen before the engine escalates (the validator forbids check-only loops). */
  maxAutoSteps?: number;
  /** Where the tap being handled came from: entries recorded meanwhile carry `via` (the phone, issue 17). */
  via?: () => 'phone' | undefined;
}

export interface FlowSession {
  readonly state: HelpScreen;
  /** Every trace entry so far, in order (for the support case). */
  readonly trace: readonly HelpTraceEntry[];
  start(): Promise<Result<void>>;
  /** Continue from an info screen, or from a resolved outcome to the rating. */
  next(): Promise<Result<void>>;
  choose(choiceId: string): Promise<Result<void>>;
  confirmAction(): Promise<Result<void>>;
  cancelAction(): Promise<Result<void>>;
  back(): Promise<Result<void>>;
  rate(ces: number, helped: boolean): Promise<Result<void>>;
  /** The customer asks for a human; ends the flow with an escalated outcome. */
  escalate(reason: string): Promise<Result<void>>;
  /** The customer closes help before an outcome. */
  abandon(): Promise<Result<void>>;
  setLocale(locale: string): void;
  /** Called after every state change; returns the unsubscribe function. */
  subscribe(listener: (state: HelpScreen) => void): () => void;
}

type Internal =
  | { kind: 'idle' }
  | { kind: 'step'; stepId: string }
  | { kind: 'checking'; stepId: string }
  | { kind: 'action'; stepId: string; phase: 'confirm' | 'running' | 'verifying'; progress: number | null }
  | { kind: 'escalated'; stepId: string | null; text: LocalizedText; reason: string }
  | { kind: 'done'; stepId: string | null; rated: boolean };

const MAX_REASON = 256;
const PROGRESS_TRACE_STEP = 10;
const clip = (s: string): string => (s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s);

/** Per-flow caches: parsed conditions and distances to an outcome, computed once per loaded flow. */
const conditionCache = new WeakMap<HelpFlow, Map<string, ParsedCondition>>();
const distanceCache = new WeakMap<HelpFlow, Map<string, number>>();

function conditionFor(flow: HelpFlow, source: string): Result<ParsedCondition> {
  let cache = conditionCache.get(flow);
  if (!cache) conditionCache.set(flow, (cache = new Map()));
  const hit = cache.get(source);
  if (hit) return ok(hit);
  const parsed = parseCondition(source);
  if (!parsed.ok) return fail(parsed.code, `column ${parsed.column}: ${parsed.reason}`);
  cache.set(source, parsed.value);
  return ok(parsed.value);
}

function distances(flow: HelpFlow): Map<string, number> {
  let d = distanceCache.get(flow);
  if (!d) distanceCache.set(flow, (d = distanceToOutcome(flow.steps)));
  return d;
}

const busyError = (): Result<void> =>
  fail(ErrorCode.CONFLICT, 'the session is busy reading the device or running an action');

/**
 * A help session: a pure state machine over one flow. It reads sensors and
 * runs actions only through `port`, reads time only through `now`, and
 * reports each step, tap and result to `onTrace` as it happens.
 */
export function createFlowSession(options: FlowSessionOptions): FlowSession {
  const { flow, profile, port, now, sessionId } = options;
  const maxAutoSteps = options.maxAutoSteps ?? 32;
  const reportError =
    options.onListenerError ?? ((err: unknown) => console.error('help session listener failed (INTERNAL):', err));
  let locale = options.locale;
  let internal: Internal = { kind: 'idle' };
  let busy = false;
  let startedAt = 0;
  let stepEnteredAt = 0;
  let outcome: HelpScreen['outcome'] = null;
  /** Interactive steps the customer left forward, for back(). */
  const history: string[] = [];
  const trace: HelpTraceEntry[] = [];
  // Screen listeners and onTrace cannot stop the engine: a failure goes to reportError (runtime's SafeEventEmitter).
  const events = new SafeEventEmitter<{ state: [HelpScreen]; trace: [HelpTraceEntry] }>((_event, err) =>
    reportError(err),
  );
  if (options.onTrace) events.on('trace', options.onTrace);
  let state: HelpScreen = render();

  const text = (t: LocalizedText): string => localize(t, locale);
  const step = (id: string): FlowStep => flow.steps[id] as FlowStep;

  function record(untagged: HelpTraceEntry): void {
    const via = options.via?.();
    const entry: HelpTraceEntry = via && untagged.kind !== 'step' ? { ...untagged, via } : untagged;
    trace.push(entry);
    events.emit('trace', entry);
  }

  function emit(): void {
    state = render();
    events.emit('state', state);
  }

  function progressPercent(): number {
    if (internal.kind === 'escalated' || internal.kind === 'done') return 100;
    if (internal.kind === 'idle') return 0;
    const s = step(internal.stepId);
    if (s.kind === 'outcome' || s.kind === 'rate') return 100;
    const remaining = distances(flow).get(internal.stepId) ?? 1;
    const done = history.length;
    return Math.round((100 * done) / (done + remaining));
  }

  function actionInfo(s: ActionStep): { name: string; label: string; description?: string; estimatedSeconds?: number } {
    const spec = findAction(profile, s.action);
    const info: { name: string; label: string; description?: string; estimatedSeconds?: number } = {
      name: s.action,
      label: spec ? text(spec.label) : s.action,
    };
    if (spec?.description) info.description = text(spec.description);
    if (spec?.estimatedSeconds !== undefined) info.estimatedSeconds = spec.estimatedSeconds;
    return info;
  }

  function view(): ScreenView {
    switch (internal.kind) {
      case 'idle':
        return { kind: 'idle' };
      case 'checking': {
        const s = step(internal.stepId);
        return { kind: 'check', text: text(s.kind === 'check' && s.text ? s.text : defaultTexts.checking) };
      }
      case 'action': {
        const s = step(internal.stepId) as ActionStep;
        const fallback = internal.phase === 'verifying' ? defaultTexts.verifying : defaultTexts.running;
        return {
          kind: 'action',
          phase: internal.phase,
          action: actionInfo(s),
          confirm: text(s.confirm),
          text: text(internal.phase === 'running' && s.text ? s.text : fallback),
          actionProgress: internal.progress,
        };
      }
      case 'escalated':
        return {
          kind: 'outcome',
          result: 'escalate',
          text: text(internal.text),
          reason: internal.reason,
          canRate: false,
        };
      case 'done':
        return {
          kind: 'done',
          text: text(internal.rated ? defaultTexts.thanks : defaultTexts.abandoned),
          rated: internal.rated,
        };
      case 'step': {
        const s = step(internal.stepId);
        switch (s.kind) {
          case 'info': {
            const v: ScreenView = { kind: 'info', text: text(s.text) };
            if (s.image) v.image = s.image;
            if (s.imageAlt) v.imageAlt = text(s.imageAlt);
            return v;
          }
          case 'question':
            return {
              kind: 'question',
              text: text(s.text),
              choices: s.choices.map((c) => ({ id: c.id, label: text(c.label) })),
            };
          case 'outcome':
            return s.result === 'resolved'
              ? { kind: 'outcome', result: 'resolved', text: text(s.text), canRate: true }
              : { kind: 'outcome', result: 'escalate', text: text(s.text), reason: s.reason, canRate: false };
          case 'rate':
            return {
              kind: 'rate',
              question: text(s.question ?? defaultTexts.rateQuestion),
              helpedQuestion: text(s.helpedQuestion ?? defaultTexts.helpedQuestion),
              scale: { min: 1, max: 7, lowLabel: text(defaultTexts.rateLow), highLabel: text(defaultTexts.rateHigh) },
            };
          case 'check':
          case 'action':
            // Never shown as plain steps: they have their own internal states.
            return { kind: 'check', text: text(defaultTexts.checking) };
        }
      }
    }
  }

  function render(): HelpScreen {
    const stepId = internal.kind === 'idle' ? null : internal.stepId;
    const s = stepId !== null ? flow.steps[stepId] : undefined;
    const interactive =
      internal.kind === 'step'
        ? s?.kind === 'info' || s?.kind === 'question'
        : internal.kind === 'action' && internal.phase === 'confirm';
    return {
      sessionId,
      flow: { id: flow.id, version: flow.version, title: localize(flow.title, locale) },
      locale,
      stepId,
      title: localize(s?.title ?? flow.title, locale),
      canGoBack: !busy && outcome === null && interactive && history.length > 0,
      busy,
      progress: progressPercent(),
      outcome,
      ...view(),
    };
  }

  function msOnStep(): number {
    return Math.max(0, Math.round(now() - stepEnteredAt));
  }

  function recordOutcome(
    result: 'resolved' | 'escalated' | 'abandoned',
    stepId: string | null,
    reason?: string,
    resolution?: HelpResolution,
  ): void {
    outcome = result;
    const entry: HelpTraceEntry = {
      kind: 'outcome',
      at: now(),
      outcome: result,
      msTotal: Math.max(0, Math.round(now() - startedAt)),
    };
    if (stepId !== null) entry.stepId = stepId;
    // Which of the five outcomes it is travels with the trace, so the fleet's KPIs need no flow files (issue 16).
    if (resolution !== undefined) entry.resolution = resolution;
    if (reason !== undefined) entry.reason = clip(reason);
    record(entry);
  }

  function escalateFrom(stepId: string | null, textValue: LocalizedText, reason: string): void {
    if (outcome !== null) return;
    internal = { kind: 'escalated', stepId, text: textValue, reason };
    recordOutcome('escalated', stepId, reason);
  }

  async function readContext(): Promise<{ sensors: Record<string, SensorValue>; errors: string[] }> {
    const [sensors, errors] = await Promise.all([port.readSensors(), port.readErrors()]);
    return { sensors, errors };
  }

  /** Shows `id`, running check steps through until a screen needs the customer. */
  async function enter(id: string): Promise<void> {
    let current = id;
    for (let hops = 0; ; hops++) {
      if (outcome !== null && internal.kind === 'escalated') return;
      if (hops >= maxAutoSteps) {
        escalateFrom(current, defaultTexts.flowLoop, 'flow_loop');
        return;
      }
      const s = step(current);
      stepEnteredAt = now();
      record({ kind: 'step', at: stepEnteredAt, stepId: current, stepType: s.kind });
      if (s.kind !== 'check') {
        if (s.kind === 'action') internal = { kind: 'action', stepId: current, phase: 'confirm', progress: null };
        else internal = { kind: 'step', stepId: current };
        if (s.kind === 'outcome') {
          if (s.result === 'resolved') recordOutcome('resolved', current, undefined, s.resolution);
          else recordOutcome('escalated', current, s.reason);
        }
        return;
      }
      internal = { kind: 'checking', stepId: current };
      emit();
      const parsed = conditionFor(flow, s.condition);
      let result: Result<boolean>;
      try {
        result = parsed.ok ? toResult(evaluateCondition(parsed.value, await readContext())) : parsed;
      } catch (err) {
        result = fail(ErrorCode.INTERNAL, `reading the device failed: ${(err as Error).message}`);
      }
      if (outcome !== null) return; // escalated or abandoned while we were reading
      if (!result.ok) {
        escalateFrom(current, defaultTexts.checkFailed, clip(`check_failed: ${result.reason}`));
        return;
      }
      record({ kind: 'check', at: now(), stepId: current, result: result.value });
      current = result.value ? s.onTrue : s.onFalse;
    }
  }

  function toResult<T>(
    r: { ok: true; value: T } | { ok: false; code: ErrorCode; reason: string; column: number },
  ): Result<T> {
    return r.ok ? ok(r.value) : fail(r.code, `column ${r.column}: ${r.reason}`);
  }

  /** Runs one transition with the busy flag set, then publishes the new state. */
  async function transition(work: () => Promise<void>): Promise<Result<void>> {
    busy = true;
    emit();
    try {
      await work();
    } finally {
      busy = false;
      emit();
    }
    return ok(undefined);
  }

  function currentStep(): { id: string; step: FlowStep } | undefined {
    if (internal.kind === 'step' || internal.kind === 'action')
      return { id: internal.stepId, step: step(internal.stepId) };
    return undefined;
  }

  async function runAction(stepId: string, s: ActionStep): Promise<void> {
    const actionTrace = (
      status: Extract<HelpTraceEntry, { kind: 'action' }>['status'],
      extra: { progress?: number; reason?: string } = {},
    ): void => {
      const entry: HelpTraceEntry = { kind: 'action', at: now(), stepId, action: s.action, status };
      if (extra.progress !== undefined) entry.progress = extra.progress;
      if (extra.reason !== undefined) entry.reason = clip(extra.reason);
      record(entry);
    };
    const failTo = async (reason: string): Promise<void> => {
      actionTrace('failed', { reason });
      if (outcome === null) await enter(s.onFailure);
    };
    actionTrace('confirmed');
    internal = { kind: 'action', stepId, phase: 'running', progress: null };
    emit();

    const spec = findAction(profile, s.action);
    if (!spec) return failTo(`action "${s.action}" is not in profile "${profile.model}"`);
    if (spec.precondition) {
      let pre: Result<boolean>;
      try {
        pre = toResult(evaluateConditionSource(spec.precondition, await readContext()));
      } catch (err) {
        pre = fail(ErrorCode.INTERNAL, `reading the device failed: ${(err as Error).message}`);
      }
      if (!pre.ok) return failTo(`precondition could not be checked: ${pre.reason}`);
      if (!pre.value) return failTo(`${ErrorCode.PRECONDITION_FAILED}: ${spec.precondition}`);
    }

    let lastTraced = -1;
    const onProgress = (percent: number): void => {
      if (
        internal.kind !== 'action' ||
        internal.stepId !== stepId ||
        internal.phase !== 'running' ||
        !Number.isFinite(percent)
      )
        return;
      const p = Math.min(100, Math.max(0, Math.round(percent)));
      internal = { ...internal, progress: p };
      // Trace every 10% (not every MCU tick): the trace goes over MQTT and through the outbox.
      const bucket = Math.floor(p / PROGRESS_TRACE_STEP) * PROGRESS_TRACE_STEP;
      if (bucket > lastTraced) {
        lastTraced = bucket;
        actionTrace('progress', { progress: p });
      }
      emit();
    };

    let result;
    try {
      result = await port.runAction(s.action, withParamDefaults(spec, s.params), onProgress);
    } catch (err) {
      result = { ok: false, reason: (err as Error).message };
    }
    if (!result.ok) return failTo(result.reason ?? 'the device reported a failure');
    actionTrace('succeeded');
    if (outcome !== null) return;

    internal = { kind: 'action', stepId, phase: 'verifying', progress: 100 };
    emit();
    const parsed = conditionFor(flow, s.verify);
    let verified: Result<boolean>;
    try {
      verified = parsed.ok ? toResult(evaluateCondition(parsed.value, await readContext())) : parsed;
    } catch (err) {
      verified = fail(ErrorCode.INTERNAL, `reading the device failed: ${(err as Error).message}`);
    }
    if (verified.ok && verified.value) {
      actionTrace('verified');
      if (outcome === null) await enter(s.onSuccess);
    } else {
      actionTrace('not-verified', { reason: verified.ok ? s.verify : verified.reason });
      if (outcome === null) await enter(s.onFailure);
    }
  }

  const session: FlowSession = {
    get state() {
      return state;
    },
    get trace() {
      return trace.slice();
    },

    async start() {
      if (internal.kind !== 'idle') return fail(ErrorCode.CONFLICT, 'the session has already started');
      if (!Object.hasOwn(flow.steps, flow.start))
        return fail(ErrorCode.FLOW_INVALID, `start step "${flow.start}" does not exist`);
      startedAt = now();
      const entry: HelpTraceEntry = {
        kind: 'start',
        at: startedAt,
        flowId: flow.id,
        flowVersion: flow.version,
        trigger: options.trigger ?? 'menu',
        locale,
      };
      if (options.errorCode !== undefined) entry.errorCode = options.errorCode;
      record(entry);
      return transition(() => enter(flow.start));
    },

    async next() {
      if (busy) return busyError();
      const cur = currentStep();
      if (!cur) return fail(ErrorCode.CONFLICT, 'there is no step to continue from');
      const s = cur.step;
      if (s.kind === 'info') {
        record({ kind: 'choice', at: now(), stepId: cur.id, choiceId: 'next', msOnStep: msOnStep() });
        history.push(cur.id);
        return transition(() => enter(s.next));
      }
      if (s.kind === 'outcome' && s.result === 'resolved') {
        record({ kind: 'choice', at: now(), stepId: cur.id, choiceId: 'next', msOnStep: msOnStep() });
        return transition(() => enter(s.next));
      }
      return fail(ErrorCode.CONFLICT, `a ${s.kind} step does not continue with next()`);
    },

    async choose(choiceId) {
      if (busy) return busyError();
      const cur = currentStep();
      if (!cur || cur.step.kind !== 'question') return fail(ErrorCode.CONFLICT, 'the current step is not a question');
      const choice = cur.step.choices.find((c) => c.id === choiceId);
      if (!choice) return fail(ErrorCode.NOT_FOUND, `question "${cur.id}" has no choice "${choiceId}"`);
      record({ kind: 'choice', at: now(), stepId: cur.id, choiceId, msOnStep: msOnStep() });
      history.push(cur.id);
      return transition(() => enter(choice.next));
    },

    async confirmAction() {
      if (busy) return busyError();
      if (internal.kind !== 'action' || internal.phase !== 'confirm')
        return fail(ErrorCode.CONFLICT, 'no action is waiting for confirmation');
      const stepId = internal.stepId;
      return transition(() => runAction(stepId, step(stepId) as ActionStep));
    },

    async cancelAction() {
      if (busy) return busyError();
      if (internal.kind !== 'action' || internal.phase !== 'confirm')
        return fail(ErrorCode.CONFLICT, 'no action is waiting for confirmation');
      const stepId = internal.stepId;
      const s = step(stepId) as ActionStep;
      const target = s.onCancel ?? history.pop();
      if (target === undefined) return fail(ErrorCode.CONFLICT, 'nowhere to go from here; use abandon() to close help');
      record({ kind: 'action', at: now(), stepId, action: s.action, status: 'cancelled' });
      return transition(() => enter(target));
    },

    async back() {
      if (!state.canGoBack) return fail(ErrorCode.CONFLICT, 'cannot go back from here');
      const from = state.stepId as string;
      const to = history.pop() as string;
      record({ kind: 'back', at: now(), fromStepId: from, toStepId: to, msOnStep: msOnStep() });
      return transition(() => enter(to));
    },

    async rate(ces, helped) {
      if (busy) return busyError();
      const cur = currentStep();
      if (!cur || cur.step.kind !== 'rate') return fail(ErrorCode.CONFLICT, 'the current step is not the rating');
      if (!Number.isInteger(ces) || ces < 1 || ces > 7)
        return fail(ErrorCode.BAD_PARAMS, 'the Customer Effort Score is a whole number from 1 to 7');
      record({ kind: 'rating', at: now(), ces, helped });
      internal = { kind: 'done', stepId: cur.id, rated: true };
      emit();
      return ok(undefined);
    },

    async escalate(reason) {
      if (outcome !== null) return fail(ErrorCode.CONFLICT, `the session already ended (${outcome})`);
      const stepId = internal.kind === 'idle' ? null : internal.stepId;
      escalateFrom(stepId, defaultTexts.customerEscalated, reason || 'customer_request');
      emit();
      return ok(undefined);
    },

    async abandon() {
      if (outcome !== null) return fail(ErrorCode.CONFLICT, `the session already ended (${outcome})`);
      const stepId = internal.kind === 'idle' ? null : internal.stepId;
      if (internal.kind !== 'idle') recordOutcome('abandoned', stepId);
      else outcome = 'abandoned';
      internal = { kind: 'done', stepId, rated: false };
      emit();
      return ok(undefined);
    },

    setLocale(next) {
      locale = next;
      emit();
    },

    subscribe(listener) {
      return events.subscribe('state', listener);
    },
  };
  return session;
}
