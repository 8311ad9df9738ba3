import type { HelpFlow } from '@touchpoint/protocol';

/** Flows that handle an error code, for proactive help ("E05: Descaling needed — show me how"). */
export function flowsForError<F extends Pick<HelpFlow, 'triggers'>>(flows: readonly F[], code: string): F[] {
  return flows.filter((f) => f.triggers.errors.includes(code));
}

/** Flows listed under help topics on the home screen. */
export function menuFlows<F extends Pick<HelpFlow, 'triggers'>>(flows: readonly F[]): F[] {
  return flows.filter((f) => f.triggers.menu);
}
