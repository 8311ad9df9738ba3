import { spawnSync } from 'node:child_process';
import type { Server } from 'node:net';
import { resolve } from 'node:path';
import { loadModels, requireModelsDirs } from '@touchpoint/models';
import { numberOption, parseCommandArgs, portOption } from '@touchpoint/runtime';
import { ExitCode, ErrorCode, TouchpointError, UsageError, type CliCommand } from '@touchpoint/protocol';
import { startBroker, type RunningBroker } from '@touchpoint/broker';
import { loadDemoDevices, planFleet, saveDemoDevices, type DemoDevice } from './demo-devices.js';
import { startSimulatedDevice, type SimulatedDevice } from './simulated-device.js';
import { DemoSimulator } from './demo-simulator.js';
import { controlSocketPath, startControlSocket } from './control-socket.js';
import { cliControlHandler } from './cli-control-handler.js';
import { runClusterDemo } from './demo-cluster.js';

const USAGE = `Usage: touchpoint demo [options]

Runs the whole of Touchpoint in one process tree with embedded defaults and no
outside services: the broker with SQLite, the console, and a fleet of simulated
devices (virtual MCU + firmware bridge + agent + touchscreen UI each).

  --devices N       simulated devices, alternating coffee machines and wallboxes (default 4)
  --model MODEL     also run one device of MODEL (a model in --models-dir or the bundled
                    examples, e.g. from \`touchpoint device init MODEL --dir DIR\`); repeatable
  --models-dir DIR  a folder of models (each MODEL/profile.json, flows/, mcu-sim.json) or one
                    model folder, read before the bundled examples by the broker and for
                    --model; repeatable (default $TP_MODELS_DIR, colon-separated), resolved
                    as \`touchpoint broker --models-dir\` resolves it
  --data-dir DIR    where the demo keeps its data (default ./.touchpoint); a second start reuses it
  --mqtt-port N     MQTT over TCP (default 1883)
  --http-port N     console, API and MQTT over WebSocket (default 8080)
  --ui-port N       first touchscreen UI port; device i uses N+i (default 8801)
  --faults-per-minute F
                    how often each simulated device raises a realistic error (default 0.1); each
                    ends by itself after a few minutes (mcu-sim.json recovery), at most one at a time
  --serial pty|memory
                    virtual MCU behind a socat pseudo-terminal (default when socat is installed)
                    or an in-process serial binding

  --cluster         run the cluster mode instead (issue 15, docs/scale-out.md "The cluster demo"):
                    engine-auth, three RabbitMQ nodes on loopback, two fleet workers and one API
                    process, data in a temp folder that is removed on Ctrl-C; needs rabbitmq-server
                    (apt-get install rabbitmq-server; $TP_RABBITMQ_BIN if it is not in
                    /usr/lib/rabbitmq/bin). --devices, --model, --models-dir, --http-port, --ui-port,
                    --serial and --faults-per-minute apply; --data-dir and --mqtt-port do not

A presenter drives the simulated devices with \`touchpoint demo sim DEVICE CONTROL\` or the console's
Simulator panel: raise and clear errors, empty the water tank, unplug the serial link, go offline.`;

function step(message: string): void {
  process.stdout.write(`• ${message}\n`);
}

function hasSocat(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Provisions the planned devices that are new; keeps the tokens of the ones from an earlier start. */
async function ensureDevices(
  broker: RunningBroker,
  dataDir: string,
  plan: { deviceId: string; model: string }[],
): Promise<DemoDevice[]> {
  const known = new Map(loadDemoDevices(dataDir).map((d) => [d.deviceId, d]));
  for (const { deviceId, model } of plan) {
    if (known.has(deviceId)) continue;
    const existing = await broker.fleet.devices.get(deviceId);
    const token = existing
      ? await broker.fleet.devices.rotateToken(deviceId)
      : (await broker.fleet.provisionDevice(deviceId, model, ['demo'])).token;
    known.set(deviceId, { deviceId, model, token });
  }
  const all = [...known.values()];
  saveDemoDevices(dataDir, all);
  return plan.map((p) => known.get(p.deviceId)!);
}

export const demo: CliCommand = {
  path: ['demo'],
  summary: 'Run the embedded demo: broker, console and simulated devices',
  usage: USAGE,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        'mqtt-port': { type: 'string', default: '1883' },
        'http-port': { type: 'string', default: '8080' },
        'ui-port': { type: 'string', default: '8801' },
        devices: { type: 'string', default: '4' },
        model: { type: 'string', multiple: true },
        'faults-per-minute': { type: 'string', default: '0.1' },
        serial: { type: 'string' },
        'models-dir': { type: 'string', multiple: true },
        cluster: { type: 'boolean' },
      },
      strict: true,
    });
    const count = numberOption(values.devices, '--devices', { integer: true, min: 0, max: 200 });
    const faults = numberOption(values['faults-per-minute'], '--faults-per-minute', { min: 0 });
    const extraModels = values.model ?? [];
    const modelDirs = requireModelsDirs(values['models-dir'] ?? [], process.env.TP_MODELS_DIR);
    const registry = loadModels(modelDirs);
    const modelDir = (model: string) => registry.models.find((m) => m.profile?.model === model)?.dir;
    for (const model of extraModels) {
      if (!modelDir(model))
        throw new TouchpointError(
          ErrorCode.NOT_FOUND,
          `no model ${model} in ${modelDirs.join(' or ')}; create one with: npx touchpoint device init ${model}`,
        );
    }
    const serial = values.serial ?? (hasSocat() ? 'pty' : 'memory');
    if (serial !== 'pty' && serial !== 'memory') throw new UsageError('--serial must be pty or memory');
    if (serial === 'pty' && !hasSocat())
      throw new TouchpointError(
        ErrorCode.NOT_FOUND,
        '--serial pty needs socat (apt install socat), or use --serial memory',
      );
    const uiBase = portOption(values['ui-port'], '--ui-port');
    if (values.cluster)
      return runClusterDemo({
        devices: count,
        extraModels,
        modelDirs: values['models-dir'] ?? [],
        modelDir,
        httpPort: portOption(values['http-port'], '--http-port'),
        uiBase,
        serial,
        faultsPerMinute: faults,
        rabbitmqBin: process.env.TP_RABBITMQ_BIN || undefined,
        step,
      });

    const dataDir = resolve(values['data-dir'] ?? process.env.TOUCHPOINT_DATA_DIR ?? '.touchpoint');
    const startedAt = Date.now();
    step(`starting broker and console (data in ${dataDir})`);
    const simulator = new DemoSimulator(step);
    const broker = await startBroker({
      simulator,
      dataDir,
      mqttPort: portOption(values['mqtt-port'], '--mqtt-port'),
      httpPort: portOption(values['http-port'], '--http-port'),
      log: 'warn',
      modelsDirs: modelDirs,
    });
    step(`broker ready: mqtt://${broker.host}:${broker.mqttPort}`);

    const devices: SimulatedDevice[] = [];
    let control: Server | undefined;
    let stopping = false;
    const stopAll = async () => {
      if (stopping) return;
      stopping = true;
      step('stopping simulated devices and broker');
      await new Promise<void>((done) => (control ? control.close(() => done()) : done()));
      await Promise.allSettled(devices.map((d) => d.stop()));
      await broker.close();
    };
    const interrupted = new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });

    try {
      const plan = await ensureDevices(broker, dataDir, planFleet(count, extraModels));
      for (const [i, device] of plan.entries()) {
        const sim = await startSimulatedDevice({
          deviceId: device.deviceId,
          model: device.model,
          modelDir: modelDir(device.model)!,
          token: device.token,
          brokerUrl: `mqtt://${broker.host}:${broker.mqttPort}`,
          trustedKey: broker.fleet.signer,
          rootKeys: broker.fleet.keys.roots(),
          dataDir,
          uiPort: uiBase === 0 ? 0 : uiBase + i,
          serial,
          randomFaultsPerMinute: faults,
        });
        devices.push(sim);
        simulator.add(sim);
        step(`device ${sim.deviceId} (${sim.model}) running: serial ${sim.serialPath}`);
      }
      // `touchpoint demo sim` (issue 16). Without its socket (a data dir path too long for one) the demo still
      // runs, and the console's Simulator panel still works.
      control = await startControlSocket(dataDir, cliControlHandler(simulator, broker.fleet.audit, step)).catch(
        (err: unknown) => {
          step(`\`touchpoint demo sim\` is unavailable: ${(err as Error).message}`);
          return undefined;
        },
      );
    } catch (err) {
      await stopAll();
      throw err;
    }

    console.log(`\nTouchpoint is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s).\n`);
    console.log(`Console:      http://${broker.host}:${broker.httpPort}/`);
    if (broker.initialAdmin)
      console.log(
        `Login:        ${broker.initialAdmin.name} / ${broker.initialAdmin.password}   (one-time password, shown only on this first start; the console then asks you to choose your own)`,
      );
    else
      console.log(
        'Login:        admin (its one-time password was printed on the first start; add staff with `npx touchpoint staff add NAME --role agent`)',
      );
    // Issue 16: say what the URLs are; each is the device's own screen, not a page for staff.
    if (devices.length > 0)
      console.log(
        "\nKiosk screens: each URL is a device's own touchscreen as its kiosk browser shows it, made for 800×480\n(open it in a window of that size; the secret after # lets it talk to its agent).",
      );
    for (const d of devices)
      console.log(`Touchscreen:  ${d.uiUrl}   ${d.deviceId}   (kiosk screen of this ${d.model}, 800×480)`);
    if (devices.length > 0 && control)
      console.log(
        `\nSimulator:    npx touchpoint demo sim DEVICE raise E05|clear E05|scenario empty_tank|unplug-serial|offline|online --data-dir ${dataDir}\n              or the Simulator panel on a device's page in the console (socket ${controlSocketPath(dataDir)})`,
      );
    console.log('\nPress Ctrl-C to stop.');

    await interrupted;
    await stopAll();
    return ExitCode.ok;
  },
};
