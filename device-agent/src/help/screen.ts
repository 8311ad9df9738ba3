/**
 * The view model the touch UI renders: plain, serialisable data with every
 * text already resolved for the session's locale. One `kind` per screen.
 */

export interface ScreenCommon {
  sessionId: string;
  flow: { id: string; version: string; title: string };
  locale: string;
  /** The step on screen; null before start. */
  stepId: string | null;
  /** Heading: the step's title or else the flow's. */
  title: string;
  canGoBack: boolean;
  /** True while the engine reads sensors or runs an action; taps are refused then. */
  busy: boolean;
  /** How far along the flow is, 0-100: steps done against the shortest way to an outcome. */
  progress: number;
  /** Set once the outcome is recorded. */
  outcome: 'resolved' | 'escalated' | 'abandoned' | null;
}

export interface ActionInfo {
  name: string;
  label: string;
  description?: string;
  estimatedSeconds?: number;
}

export type ScreenView =
  | { kind: 'idle' }
  | { kind: 'info'; text: string; image?: string; imageAlt?: string }
  | { kind: 'question'; text: string; choices: { id: string; label: string }[] }
  | { kind: 'check'; text: string }
  | {
      kind: 'action';
      /** confirm: the confirmation sheet; running: the action runs (see actionProgress); verifying: its effect is checked. */
      phase: 'confirm' | 'running' | 'verifying';
      action: ActionInfo;
      confirm: string;
      text: string;
      /** 0-100 as the device reports it, null until the first report. */
      actionProgress: number | null;
    }
  | {
      kind: 'outcome';
      result: 'resolved' | 'escalate';
      text: string;
      /** Machine-readable reason for an escalation, carried into the support case. */
      reason?: string;
      /** Resolved outcomes continue to the rating with next(). */
      canRate: boolean;
    }
  | {
      kind: 'rate';
      question: string;
      helpedQuestion: string;
      scale: { min: 1; max: 7; lowLabel: string; highLabel: string };
    }
  | { kind: 'done'; text: string; rated: boolean };

export type HelpScreen = ScreenCommon & ScreenView;
export type HelpScreenKind = ScreenView['kind'];
