import {
  checkFlow,
  validateFlowSet,
  type ContentBody,
  type DeviceProfile,
  type FlowProblem,
  type HelpFlow,
} from '@touchpoint/protocol';

export interface DraftCheck {
  /** The body with the edited file in it, when its text is JSON. */
  body: ContentBody | undefined;
  /** The edited flow as the engine would load it, when it has no problem of its own shape. */
  flow: HelpFlow | undefined;
  /** Every problem of the whole content (the edited file's first), as the broker will find them. */
  problems: FlowProblem[];
}

/**
 * The studio's live check (issue 18): the edited flow file's text put into the version's body, then the
 * protocol's flow validator over every flow, with the model's profile and the body's images, the same
 * rules the broker applies before a version may be proposed and a device applies before it installs one.
 */
export function checkDraft(base: ContentBody, file: string, text: string, profile: DeviceProfile): DraftCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      body: undefined,
      flow: undefined,
      problems: [{ file, path: '', code: 'BAD_JSON', message: (err as Error).message }],
    };
  }
  const body: ContentBody = { flows: { ...base.flows, [file]: json }, images: base.images };
  const imageExists = (p: string) => p in body.images;
  const own = checkFlow(json, { file, profile, imageExists });
  const all = validateFlowSet(
    Object.entries(body.flows).map(([f, j]) => ({ file: f, json: j })),
    { profile, imageExists },
  ).problems;
  const problems = [...all.filter((p) => p.file === file), ...all.filter((p) => p.file !== file)];
  return { body, flow: own.problems.length === 0 ? own.flow : undefined, problems };
}
