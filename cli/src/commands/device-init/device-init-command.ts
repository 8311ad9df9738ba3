import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { parseCommandArgs } from '@touchpoint/runtime';
import {
  ExitCode,
  ErrorCode,
  TouchpointError,
  UsageError,
  deviceProfile,
  describeIssues,
  type CliCommand,
} from '@touchpoint/protocol';
import { flowTemplate, profileTemplate, simTemplate } from './templates.js';

export const deviceInit: CliCommand = {
  path: ['device', 'init'],
  summary: 'Scaffold a new device model: profile, an example flow (de, en) and an MCU-sim config',
  usage: `Usage: touchpoint device init MODEL [--name TEXT] [--dir DIR] [--force]

Creates DIR/MODEL (default DIR: the examples/ folder the demo reads) with
  profile.json     sensors, error codes and actions of the model
  flows/filter-clogged.json  a help flow in German and English
  mcu-sim.json     how the virtual MCU behaves, so the model runs in the demo
Then: npx touchpoint flows validate DIR/MODEL, and npm start -- --model MODEL
(with --dir DIR: npm start -- --models-dir DIR --model MODEL; touchpoint broker --models-dir DIR).
MODEL is kebab-case, such as heat-pump.`,
  async run(argv) {
    const parsed = parseCommandArgs({
      args: argv,
      options: { name: { type: 'string' }, dir: { type: 'string' }, force: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const [model, ...rest] = parsed.positionals;
    if (!model || rest.length) throw new UsageError('give one MODEL');
    const title =
      parsed.values.name ??
      model
        .split('-')
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(' ');
    const profile = deviceProfile.safeParse(profileTemplate(model, title));
    if (!profile.success) throw new UsageError(`model name ${JSON.stringify(model)}: ${describeIssues(profile.error)}`);
    const dir = resolve(parsed.values.dir ?? DEFAULT_MODELS_DIR, model);
    if (existsSync(join(dir, 'profile.json')) && !parsed.values.force)
      throw new TouchpointError(ErrorCode.DUPLICATE, `${dir} already has a profile; pass --force to overwrite`);
    mkdirSync(join(dir, 'flows'), { recursive: true });
    const write = (file: string, value: unknown) =>
      writeFileSync(join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
    write('profile.json', profileTemplate(model, title));
    write('flows/filter-clogged.json', flowTemplate(model));
    write('mcu-sim.json', simTemplate(model));
    console.log(`Created ${dir}:`);
    console.log('  profile.json, flows/filter-clogged.json, mcu-sim.json');
    console.log('\nNext:');
    console.log(`  npx touchpoint flows validate ${dir}`);
    console.log(`  npm start -- --model ${model}`);
    console.log('  docs/device-maker-guide.md explains each file.');
    return ExitCode.ok;
  },
};
