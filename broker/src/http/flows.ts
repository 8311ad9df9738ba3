import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeIssues, helpFlow, type HelpFlow } from '@touchpoint/protocol';
import type { Logger } from '../logger.js';

/**
 * Help flows by id, from `<dir>/<model>/flows/*.json`, so the console's mirror
 * can show the screen the customer is on. Loaded on first use; invalid files
 * are logged and skipped.
 */
export class FlowCatalog {
  private flows: Map<string, HelpFlow> | undefined;

  constructor(private readonly dirs: readonly string[], private readonly log: Logger) {}

  get(flowId: string): HelpFlow | undefined {
    this.flows ??= this.load();
    return this.flows.get(flowId);
  }

  private load(): Map<string, HelpFlow> {
    const flows = new Map<string, HelpFlow>();
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      for (const model of readdirSync(dir, { withFileTypes: true })) {
        const flowDir = join(dir, model.name, 'flows');
        if (!model.isDirectory() || !existsSync(flowDir)) continue;
        for (const file of readdirSync(flowDir)) {
          if (!file.endsWith('.json')) continue;
          try {
            const parsed = helpFlow.safeParse(JSON.parse(readFileSync(join(flowDir, file), 'utf8')));
            if (parsed.success) flows.set(parsed.data.id, parsed.data);
            else this.log.warn('help flow is invalid, not shown in the console', { file, code: 'FLOW_INVALID', reason: describeIssues(parsed.error) });
          } catch (err) {
            this.log.warn('help flow is not JSON, not shown in the console', { file, code: 'BAD_JSON', reason: (err as Error).message });
          }
        }
      }
    }
    return flows;
  }
}
