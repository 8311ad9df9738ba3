import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ExitCode, ErrorCode, TouchpointError, type CliCommand } from '@touchpoint/protocol';
import { startBroker } from '@touchpoint/broker';

const USAGE = `Usage: touchpoint demo [--data-dir DIR] [--mqtt-port N] [--http-port N]

Runs the whole of Touchpoint in one process tree with embedded defaults and no
outside services: the broker with SQLite in ./.touchpoint and the console.
  --data-dir DIR  where the demo keeps its data (default ./.touchpoint); a second start reuses it
  --mqtt-port N   MQTT over TCP (default 1883)
  --http-port N   console and MQTT over WebSocket (default 8080)`;

function step(message: string): void {
  process.stdout.write(`• ${message}\n`);
}

export const demo: CliCommand = {
  path: ['demo'],
  summary: 'Run the embedded demo: broker, console and simulated devices',
  usage: USAGE,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, 'mqtt-port': { type: 'string', default: '1883' }, 'http-port': { type: 'string', default: '8080' } }, strict: true }));
    } catch (err) {
      throw new TouchpointError(ErrorCode.SCHEMA_INVALID, (err as Error).message);
    }
    const dataDir = resolve(values['data-dir'] ?? process.env.TOUCHPOINT_DATA_DIR ?? '.touchpoint');
    step(`starting broker (data in ${dataDir})`);
    const broker = await startBroker({ dataDir, mqttPort: Number(values['mqtt-port']), httpPort: Number(values['http-port']), log: 'warn' });
    step(`broker ready on mqtt://${broker.host}:${broker.mqttPort}`);
    console.log('');
    console.log(`Console:  http://${broker.host}:${broker.httpPort}/`);
    if (broker.initialAdmin) console.log(`Login:    ${broker.initialAdmin.name} / ${broker.initialAdmin.password}   (one-time password, shown only on this first start)`);
    else console.log('Login:    admin (password printed on the first start; add staff with `npx touchpoint staff add NAME --role agent`)');
    console.log('\nPress Ctrl-C to stop.');
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    step('stopping');
    await broker.close();
    return ExitCode.ok;
  },
};
