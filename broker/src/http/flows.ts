import type { HelpFlow } from '@touchpoint/protocol';

/**
 * Help flows by id, so the console's mirror can show the screen the customer
 * is on. They come from the same model registry as the broker's profiles
 * (issue 14: a model outside examples/ used to load as a profile while
 * /api/flows/:id answered 404). Loaded on first use.
 */
export class FlowCatalog {
  private flows: ReadonlyMap<string, HelpFlow> | undefined;

  constructor(private readonly load: () => ReadonlyMap<string, HelpFlow>) {}

  get(flowId: string): HelpFlow | undefined {
    this.flows ??= this.load();
    return this.flows.get(flowId);
  }
}
