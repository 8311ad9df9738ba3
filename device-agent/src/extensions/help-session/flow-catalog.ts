import {
  ErrorCode,
  type DeviceProfile,
  type HelpFlow,
  type HelpFlowSummary,
  type HelpUiReplies,
} from '@touchpoint/protocol';
import { loadFlows } from '../../help/load-flows.js';
import type { Logger } from '../../logger.js';

/**
 * The help flows of this model: loaded from a model folder (or from the help
 * content support installed), flows for other models left out, each problem
 * logged the way `flows validate` reports it.
 */
export class FlowCatalog {
  private flows: HelpFlow[] = [];
  private dir = '';

  constructor(
    private readonly profile: DeviceProfile,
    private readonly logger: Logger,
  ) {}

  get loaded(): readonly HelpFlow[] {
    return this.flows;
  }

  /** The `flows/` folder the loaded flows came from (their images are served from it). */
  get flowsDir(): string {
    return this.dir;
  }

  find(flowId: string): HelpFlow | undefined {
    return this.flows.find((f) => f.id === flowId);
  }

  /** Loads `<dir>/flows` for this model; a session already running keeps the flow it started with. */
  async load(dir: string): Promise<void> {
    const loaded = await loadFlows(dir, { profile: this.profile });
    for (const p of loaded.problems)
      this.logger.warn(`help flow left out: ${p.file} ${p.path}: ${p.message}`, {
        code: ErrorCode.FLOW_INVALID,
        problem: p.code,
      });
    this.flows = loaded.flows.filter((f) => f.models.includes(this.profile.model));
    this.dir = loaded.flowsDir;
    this.logger.info(`help flows loaded: ${this.flows.map((f) => f.id).join(', ') || 'none'}`, {
      dir: loaded.flowsDir,
    });
  }

  /** The flows and what the home screen needs to name the device and its errors. */
  catalog(): HelpUiReplies['help.flows'] {
    const { profile } = this;
    return {
      flows: this.flows.map(summary),
      device: {
        name: profile.name,
        ...(profile.displayNoun ? { noun: profile.displayNoun } : {}),
        errors: profile.errors.map((e) => ({ code: e.code, label: e.label, severity: e.severity })),
      },
    };
  }
}

function summary(flow: HelpFlow): HelpFlowSummary {
  return {
    id: flow.id,
    version: flow.version,
    title: flow.title,
    ...(flow.description ? { description: flow.description } : {}),
    errors: flow.triggers.errors,
    menu: flow.triggers.menu,
  };
}
