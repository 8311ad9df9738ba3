import { join } from 'node:path';
import { formatModelProblem, loadModels, readProfile, resolveModelsDirs } from '@touchpoint/models';
import { ErrorCode, ExitCode, TouchpointError, type CliCommand, type DeviceProfile } from '@touchpoint/protocol';
import { createProcessLogger, numberOption, parseCommandArgs, stderrSink } from '@touchpoint/runtime';
import { createBridge } from '../bridge.js';
import { baudOption } from './baud-option.js';

const usage = `Usage: touchpoint bridge call --port PATH [--baud N] [--profile DIR] [--timeout MS] info|sensors|errors|action NAME [--params JSON]

Performs one request and prints the response as JSON.

  info                  model, serial number and firmware version
  sensors               all sensor readings
  errors                active error codes
  action NAME           runs an MCU action and waits for completion, printing progress to stderr;
                        --params are validated against the profile's parameter schema first

Options:
  --port PATH           serial device (required)
  --profile DIR         model directory with profile.json (default: the model the MCU reports, looked up
                        in $TP_MODELS_DIR, colon-separated, then the bundled examples)
  --params JSON         action parameters, e.g. '{"amps":16}'
  --timeout MS          per-attempt timeout (default 500)

Exit codes: 0 ok, 1 request failed (named code on stderr), 2 usage error.`;

export const callCommand: CliCommand = {
  path: ['bridge', 'call'],
  summary: 'Send one request to the MCU and print the response',
  usage,
  async run(argv) {
    const parsed = parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        baud: { type: 'string', default: '115200' },
        profile: { type: 'string' },
        params: { type: 'string' },
        timeout: { type: 'string', default: '500' },
      },
    });
    const { values, positionals } = parsed;
    const [what, actionName] = positionals;
    if (
      !values.port ||
      !what ||
      !['info', 'sensors', 'errors', 'action'].includes(what) ||
      (what === 'action' && !actionName)
    ) {
      console.error(`touchpoint bridge call: give --port and one of info, sensors, errors, action NAME\n\n${usage}`);
      return ExitCode.usage;
    }
    const baudRate = baudOption(values.baud);
    const requestTimeoutMs = numberOption(values.timeout, '--timeout', { integer: true, min: 0, minExclusive: true });
    let params: Record<string, unknown> = {};
    if (values.params) {
      try {
        params = JSON.parse(values.params) as Record<string, unknown>;
      } catch (err) {
        console.error(`touchpoint bridge call: --params is not JSON: ${(err as Error).message}`);
        return ExitCode.usage;
      }
    }
    // Without --profile we still need one for typing; a minimal placeholder serves info, then the real profile is
    // looked up by the model the MCU reports.
    const placeholder: DeviceProfile = {
      model: 'unknown',
      version: '0.0.0',
      name: { de: '?', en: '?' },
      capabilities: { camera: false, microphone: true },
      sensors: [{ id: 'unknown', type: 'string', label: { de: '?', en: '?' } }],
      errors: [],
      actions: [],
    };
    let profile = values.profile ? await loadProfile(values.profile) : placeholder;
    const open = async (p: DeviceProfile) => {
      const bridge = createBridge({
        path: values.port as string,
        baudRate,
        profile: p,
        requestTimeoutMs,
        reopen: { initialDelayMs: 100, maxDelayMs: 100 },
        logger: createProcessLogger('bridge call', stderrSink, 'warn'),
      });
      await bridge.open();
      if (bridge.link !== 'up') {
        await bridge.close();
        throw new TouchpointError(ErrorCode.LINK_DOWN, `cannot open ${values.port as string}`);
      }
      return bridge;
    };
    let bridge = await open(profile);
    try {
      if (!values.profile && what !== 'info' && what !== 'errors') {
        const info = await bridge.getInfo();
        const dirs = resolveModelsDirs([], process.env.TP_MODELS_DIR);
        const found = loadModels(dirs).profiles.get(info.model);
        if (!found)
          throw new TouchpointError(
            ErrorCode.NOT_FOUND,
            `MCU reports model "${info.model}" but no valid profile of it is in ${dirs.join(', ')}; pass --profile DIR`,
          );
        profile = found;
        await bridge.close();
        bridge = await open(profile);
      }
      let result: unknown;
      switch (what) {
        case 'info':
          result = await bridge.getInfo();
          break;
        case 'sensors':
          result = await bridge.readSensors();
          break;
        case 'errors':
          result = await bridge.readErrors();
          break;
        default:
          result = await bridge.runAction(actionName as string, params, {
            onProgress: (e) => console.error(`progress ${e.percent}%${e.message ? ` ${e.message}` : ''}`),
          });
      }
      console.log(JSON.stringify(result, null, 2));
      const failed = what === 'action' && (result as { ok: boolean }).ok === false;
      return failed ? ExitCode.failure : ExitCode.ok;
    } finally {
      await bridge.close();
    }
  },
};

/** `DIR/profile.json` through @touchpoint/models (issue 14); a bad one names the file and the reason. */
async function loadProfile(dir: string): Promise<DeviceProfile> {
  const read = readProfile(join(dir, 'profile.json'));
  const problem = read.problems[0];
  if (problem || !read.profile)
    throw new TouchpointError(ErrorCode.SCHEMA_INVALID, problem ? formatModelProblem(problem) : `${dir}: no profile`);
  return read.profile;
}
