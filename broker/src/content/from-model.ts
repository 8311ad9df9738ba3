import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { LoadedModel } from '@touchpoint/models';
import type { ContentBody } from './content-body.js';

/** A path inside the flows folder as a content document names it: relative, with '/'. */
const contentPath = (flowsDir: string, file: string): string => relative(flowsDir, file).split(sep).join('/');

/**
 * The help content a model's devices run today, read from its models dir the way `touchpoint content pack`
 * packs it (the good flows and the images they show), with each flow file as its maker wrote it (not the
 * parsed flow), so the studio's editor opens the maker's text.
 */
export function contentFromModel(model: LoadedModel): ContentBody {
  const flows: Record<string, unknown> = {};
  for (const flow of model.flows) {
    const file = model.flowFiles.get(flow.id);
    if (file) flows[contentPath(model.flowsDir, file)] = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  }
  const images: Record<string, string> = {};
  for (const file of model.images) images[contentPath(model.flowsDir, file)] = readFileSync(file).toString('base64');
  return { flows, images };
}
