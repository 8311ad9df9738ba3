import { helpTraceEntry, type HelpTraceEntry } from '@touchpoint/protocol';
import { z } from 'zod';

/** The case as the case.opened event carries it (webhooks/events.ts caseData with `full`). */
export const openedCase = z.object({
  id: z.string(),
  deviceId: z.string(),
  model: z.string().nullable(),
  reason: z.string(),
  flowId: z.string().nullable(),
  openedAt: z.number().int(),
  url: z.string().nullable(),
  trace: z.array(helpTraceEntry),
  diagnostics: z
    .object({
      at: z.number().int(),
      sensors: z.record(z.string(), z.unknown()),
      errors: z.array(z.string()),
      firmware: z.string().nullable(),
    })
    .nullable(),
});
export type OpenedCase = z.infer<typeof openedCase>;

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function traceLine(e: HelpTraceEntry): string {
  switch (e.kind) {
    case 'start':
      return `started flow ${e.flowId} ${e.flowVersion}`;
    case 'step':
      return `saw ${e.stepType} step ${e.stepId}`;
    case 'choice':
      return `chose ${e.choiceId} at ${e.stepId}`;
    case 'back':
      return `went back from ${e.fromStepId} to ${e.toStepId}`;
    case 'check':
      return `check ${e.stepId}: ${e.result ? 'passed' : 'failed'}`;
    case 'action':
      return `ran ${e.action} at ${e.stepId}`;
    case 'outcome':
      return `outcome: ${e.outcome}`;
    case 'rating':
      return `rated the help ${e.ces}/7`;
  }
}

/** The ticket's title: what the customer's case says, findable by device. */
export function ticketTitle(c: OpenedCase): string {
  return `${c.reason} on ${c.deviceId}${c.model ? ` (${c.model})` : ''}`.slice(0, 250);
}

/**
 * The first article, in plain text (no HTML to escape): the link back to the console, the diagnostics summary
 * and the customer's help-session trace, one line per screen and tap.
 */
export function firstArticle(c: OpenedCase): string {
  const lines = [
    `Touchpoint case ${c.id}, opened ${time(c.openedAt)} UTC on device ${c.deviceId}${c.model ? ` (${c.model})` : ''}.`,
    `Reason: ${c.reason}${c.flowId ? ` (help flow ${c.flowId})` : ''}`,
    c.url ? `Console: ${c.url}` : 'Console: (the broker has no public URL; open the case by its id)',
    '',
    'Diagnostics',
  ];
  if (c.diagnostics) {
    lines.push(
      `  taken ${time(c.diagnostics.at)} UTC${c.diagnostics.firmware ? `, firmware ${c.diagnostics.firmware}` : ''}`,
    );
    lines.push(`  errors: ${c.diagnostics.errors.length ? c.diagnostics.errors.join(', ') : 'none'}`);
    for (const [k, v] of Object.entries(c.diagnostics.sensors)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
  } else lines.push('  none shared');
  lines.push('', 'Help-session trace');
  if (c.trace.length === 0) lines.push('  (empty)');
  for (const e of c.trace) lines.push(`  ${time(e.at)}  ${traceLine(e)}`);
  return lines.join('\n');
}
