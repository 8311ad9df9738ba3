import { z } from 'zod';
import { localizedText } from '../messages/base.js';
import { helpResolution } from '../messages/events.js';
import { MAX_CONDITION_LENGTH } from './condition.js';

/**
 * The help-flow authoring format: one JSON file per flow, shipped in
 * `examples/<model>/flows/`. The schema checks shape only; references between
 * steps, sensors, actions and expressions are checked by validateFlow.
 */

/** Marks a zod issue so the validator reports it under its own problem code. */
export const FLOW_PROBLEM_PARAM = 'flowProblem';

export const stepId = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower_snake_case, 1-64 characters, starting with a letter');
const flowIdField = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{1,63}$/, 'must be 2-64 characters of a-z, 0-9, _ and -, starting with a letter');
const condition = z.string().min(1).max(MAX_CONDITION_LENGTH);

const IMAGE_EXTENSIONS = /\.(svg|png|jpe?g|webp)$/i;

/**
 * An image shipped next to the flow, as a path relative to the flows folder.
 * The touchscreen never fetches from the internet, so URLs of any scheme,
 * absolute paths and `..` segments are refused.
 */
export const flowImagePath = z
  .string()
  .min(1)
  .max(200)
  .superRefine((value, ctx) => {
    const problem = (message: string): void => {
      ctx.addIssue({ code: 'custom', message, params: { [FLOW_PROBLEM_PARAM]: 'IMAGE_PATH' } });
    };
    if (/^[a-z][a-z0-9+.-]*:/i.test(value) || value.startsWith('//'))
      problem('must be a file shipped with the flow, not a URL');
    else if (value.startsWith('/') || value.startsWith('\\'))
      problem('must be a relative path inside the flows folder');
    else if (value.split(/[\\/]/).includes('..')) problem('must not leave the flows folder ("..")');
    else if (!IMAGE_EXTENSIONS.test(value)) problem('must be an .svg, .png, .jpg or .webp file');
  });

const common = {
  /** Heading on the screen; the flow title is shown when absent. */
  title: localizedText.optional(),
};

export const infoStep = z.strictObject({
  kind: z.literal('info'),
  ...common,
  text: localizedText,
  image: flowImagePath.optional(),
  /** Alternative text for the image, read by screen readers. */
  imageAlt: localizedText.optional(),
  next: stepId,
});

export const questionChoice = z.strictObject({
  id: stepId,
  label: localizedText,
  next: stepId,
});

export const questionStep = z.strictObject({
  kind: z.literal('question'),
  ...common,
  text: localizedText,
  choices: z.array(questionChoice).min(1).max(8),
});

export const checkStep = z.strictObject({
  kind: z.literal('check'),
  ...common,
  /** Shown while the sensors are read. */
  text: localizedText.optional(),
  condition,
  onTrue: stepId,
  onFalse: stepId,
});

export const actionStep = z.strictObject({
  kind: z.literal('action'),
  ...common,
  /** An action name from the device profile. */
  action: z.string().min(1).max(48),
  params: z.record(z.string(), z.unknown()).default({}),
  /** The question on the confirmation sheet. */
  confirm: localizedText,
  /** Shown while the action runs. */
  text: localizedText.optional(),
  /** Must hold after the action succeeded, or the fix did not work. */
  verify: condition,
  onSuccess: stepId,
  onFailure: stepId,
  /** Where "Cancel" on the confirmation sheet leads; by default the previous screen. */
  onCancel: stepId.optional(),
});

const outcomeResolved = z.strictObject({
  kind: z.literal('outcome'),
  ...common,
  result: z.literal('resolved'),
  /**
   * Which outcome this end is (issue 16): `fix` (an action of the flow fixed it), `customer` (the customer fixed it
   * by following the steps) or `nothing-wrong` (there was no fault). First-touch resolution counts `fix` and
   * `customer` only.
   */
  resolution: helpResolution,
  text: localizedText,
  /** The rate step that follows. */
  next: stepId,
});

const outcomeEscalate = z.strictObject({
  kind: z.literal('outcome'),
  ...common,
  result: z.literal('escalate'),
  text: localizedText,
  /** A short machine-readable reason carried into the support case, e.g. `descale_failed`. */
  reason: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower_snake_case, such as descale_failed'),
});

export const outcomeStep = z.discriminatedUnion('result', [outcomeResolved, outcomeEscalate]);

export const rateStep = z.strictObject({
  kind: z.literal('rate'),
  ...common,
  /** Overrides the default "How easy was it to solve your problem?". */
  question: localizedText.optional(),
  /** Overrides the default "Did this help?". */
  helpedQuestion: localizedText.optional(),
});

export const flowStep = z.discriminatedUnion('kind', [
  infoStep,
  questionStep,
  checkStep,
  actionStep,
  outcomeStep,
  rateStep,
]);

export const helpFlow = z.strictObject({
  $schema: z.string().optional(),
  id: flowIdField,
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be semver, such as 1.0.0'),
  /** Device models (profile `model`) this flow applies to. */
  models: z.array(z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'must be a kebab-case model name')).min(1),
  title: localizedText,
  description: localizedText,
  triggers: z
    .strictObject({
      /** Error codes that offer this flow proactively. */
      errors: z
        .array(z.string().regex(/^[A-Z][A-Z0-9_]{1,15}$/, 'must be an upper-case error code such as E05'))
        .default([]),
      /** Whether the flow is listed under help topics on the home screen. */
      menu: z.boolean().default(true),
    })
    .default({ errors: [], menu: true }),
  start: stepId,
  steps: z.record(stepId, flowStep).refine((steps) => Object.keys(steps).length > 0, 'a flow needs at least one step'),
});

export type InfoStep = z.infer<typeof infoStep>;
export type QuestionStep = z.infer<typeof questionStep>;
export type QuestionChoice = z.infer<typeof questionChoice>;
export type CheckStep = z.infer<typeof checkStep>;
export type ActionStep = z.infer<typeof actionStep>;
export type OutcomeStep = z.infer<typeof outcomeStep>;
export type RateStep = z.infer<typeof rateStep>;
export type FlowStep = z.infer<typeof flowStep>;
export type FlowStepKind = FlowStep['kind'];
export type HelpFlow = z.infer<typeof helpFlow>;
