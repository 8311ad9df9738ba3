import type { DeviceProfile, HelpFlow, HelpOffer } from '@touchpoint/protocol';
import { flowsForError } from '../../help/flows-for-error.js';

/**
 * Proactive help: for each active error (in the order raised) the first flow
 * that handles it. Errors no flow handles are not offered; the home screen
 * still lists them.
 */
export function offersFor(
  profile: DeviceProfile,
  flows: readonly HelpFlow[],
  activeErrors: readonly string[],
): HelpOffer[] {
  const offers: HelpOffer[] = [];
  for (const code of activeErrors) {
    const flow = flowsForError(flows, code)[0];
    if (!flow) continue;
    const spec = profile.errors.find((e) => e.code === code);
    offers.push({
      code,
      label: spec?.label ?? { de: code, en: code },
      severity: spec?.severity ?? 'warning',
      flowId: flow.id,
      flowTitle: flow.title,
    });
  }
  return offers;
}
