/**
 * A readable diff of two help contents (issue 18, "versions with history and a readable diff"): per flow
 * file, per step, per field, the value before and after. Flows are structured data, so the diff follows
 * their structure (a step's `text.en` changed) instead of lines of JSON, which is why no text diff library
 * is used. Pure and browser-safe: the studio computes it from the two versions it shows.
 */
export interface FieldChange {
  /** The field's path inside its step (or its flow for the flow's own fields), e.g. `text.en`, `choices.1.next`. */
  path: string;
  /** undefined: the field was added (before) or removed (after). */
  before: unknown;
  after: unknown;
}

export type Change = 'added' | 'removed' | 'changed';

export interface StepDiff {
  stepId: string;
  change: Change;
  fields: FieldChange[];
}

export interface FlowFileDiff {
  file: string;
  change: Change;
  /** Changes to the flow's own fields (title, start, triggers...), not its steps. */
  fields: FieldChange[];
  steps: StepDiff[];
}

export interface ContentDiff {
  flows: FlowFileDiff[];
  images: { path: string; change: Change }[];
}

interface Content {
  flows: Record<string, unknown>;
  images: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf that differs between `a` and `b`, with its dotted path under `prefix`. */
function fieldChanges(a: unknown, b: unknown, prefix: string, out: FieldChange[]): void {
  const join = (key: string | number) => (prefix ? `${prefix}.${key}` : String(key));
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) fieldChanges(a[key], b[key], join(key), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) fieldChanges(a[i], b[i], join(i), out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path: prefix, before: a, after: b });
}

const stepsOf = (flow: unknown): Record<string, unknown> =>
  isRecord(flow) && isRecord(flow['steps']) ? flow['steps'] : {};

const withoutSteps = (flow: unknown): Record<string, unknown> => {
  if (!isRecord(flow)) return {};
  const rest = { ...flow };
  delete rest['steps'];
  return rest;
};

function diffFlow(file: string, before: unknown, after: unknown): FlowFileDiff | undefined {
  const change: Change = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
  const fields: FieldChange[] = [];
  fieldChanges(withoutSteps(before), withoutSteps(after), '', fields);
  const a = stepsOf(before);
  const b = stepsOf(after);
  const steps: StepDiff[] = [];
  for (const stepId of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const stepFields: FieldChange[] = [];
    fieldChanges(a[stepId] ?? {}, b[stepId] ?? {}, '', stepFields);
    if (stepFields.length === 0) continue;
    const stepChange: Change = !(stepId in a) ? 'added' : !(stepId in b) ? 'removed' : 'changed';
    steps.push({ stepId, change: stepChange, fields: stepFields });
  }
  if (change === 'changed' && fields.length === 0 && steps.length === 0) return undefined;
  return { file, change, fields, steps };
}

/** What changed from `before` to `after`, flow files and images in name order; unchanged ones are left out. */
export function diffContent(before: Content, after: Content): ContentDiff {
  const flows: FlowFileDiff[] = [];
  for (const file of [...new Set([...Object.keys(before.flows), ...Object.keys(after.flows)])].sort()) {
    const d = diffFlow(file, before.flows[file], after.flows[file]);
    if (d) flows.push(d);
  }
  const images: ContentDiff['images'] = [];
  for (const path of [...new Set([...Object.keys(before.images), ...Object.keys(after.images)])].sort()) {
    const a = before.images[path];
    const b = after.images[path];
    if (a === b) continue;
    images.push({ path, change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed' });
  }
  return { flows, images };
}
