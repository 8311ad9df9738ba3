import { join } from 'node:path';
import { DEFAULT_MODELS_DIR } from '@touchpoint/models';
import { Command, FrameKind, createBridge, encodeFrame } from '@touchpoint/firmware-bridge';
import { loadModel, startVirtualMcu } from '@touchpoint/firmware-bridge/sim';
import type { BenchContext, BenchRow, BenchSuite, SuiteResult } from '../types.js';

const BAUDS = [115_200, 1_000_000];
/** 8N1: a start bit, 8 data bits and a stop bit per byte. */
const wireSeconds = (bytes: number, baud: number): number => (bytes * 10) / baud;

/** The bundled coffee machine, read the way the simulator reads every model (issue 14). */
const loadCoffee = () => loadModel(join(DEFAULT_MODELS_DIR, 'coffee-machine'));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/**
 * Request round trip and pipelined throughput between the bridge and the virtual MCU over a real socat pty pair.
 * A pty moves bytes at memory speed whatever baud rate is set, so the baseline is the time the same frames need
 * on a real UART at that baud (computed from the encoded frame size): the protocol's cost must stay small next
 * to it.
 */
export const serialSuite: BenchSuite = {
  name: 'serial',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const { profile, config } = await loadCoffee();
    const rounds = ctx.quick ? 3 : 5;
    const pings = ctx.quick ? 150 : 1000;
    const pingWire = encodeFrame({
      kind: FrameKind.request,
      seq: 0,
      command: Command.ping,
      status: 0,
      body: new Uint8Array(),
    }).length;
    const rows: BenchRow[] = [];
    for (const baud of BAUDS) {
      const sim = await startVirtualMcu({ profile, config, pty: true, baudRate: baud });
      const bridge = createBridge({
        path: sim.devicePath as string,
        baudRate: baud,
        profile,
        requestTimeoutMs: 1000,
        retries: 0,
        maxInFlight: 4,
        logger: { info: () => undefined, warn: ctx.log, error: ctx.log },
      });
      try {
        await bridge.open();
        for (let i = 0; i < 50; i++) await bridge.ping(); // warm up
        const rtt: number[] = [];
        const throughput: number[] = [];
        for (let round = 0; round < rounds; round++) {
          const samples: number[] = [];
          for (let i = 0; i < pings; i++) {
            const start = process.hrtime.bigint();
            await bridge.ping();
            samples.push(Number(process.hrtime.bigint() - start) / 1e6);
          }
          rtt.push(median(samples));
          const start = process.hrtime.bigint();
          let issued = 0;
          const worker = async (): Promise<void> => {
            while (issued < pings) {
              issued++;
              await bridge.ping();
            }
          };
          await Promise.all([worker(), worker(), worker(), worker()]);
          // Each request produces two frames on the wire (request + response).
          throughput.push((2 * pings) / (Number(process.hrtime.bigint() - start) / 1e9));
          ctx.log(
            `serial ${baud} baud round ${round + 1}/${rounds}: rtt ${rtt.at(-1)?.toFixed(3)} ms, ${throughput.at(-1)?.toFixed(0)} frames/s`,
          );
        }
        const wireRtt = wireSeconds(2 * pingWire, baud) * 1000;
        rows.push({
          metric: `PING round trip @${baud} baud`,
          unit: 'ms',
          system: 'touchpoint bridge over socat pty (median)',
          rounds: rtt,
          baseline: { system: `UART wire time, ${2 * pingWire} bytes @${baud} 8N1`, rounds: rtt.map(() => wireRtt) },
          higherIsBetter: false,
          goal: 'protocol overhead well below the wire time at 115200',
        });
        const wireFps = baud / 10 / pingWire;
        rows.push({
          metric: `frames/s, 4 requests in flight @${baud} baud`,
          unit: 'frames/s',
          system: 'touchpoint bridge over socat pty',
          rounds: throughput,
          baseline: {
            system: `UART capacity, ${pingWire}-byte frames @${baud} 8N1 (one direction)`,
            rounds: throughput.map(() => wireFps),
          },
          higherIsBetter: true,
          goal: '>= 1x UART capacity at 115200',
        });
      } finally {
        await bridge.close();
        await sim.stop();
      }
    }
    return {
      suite: 'serial',
      loadShape: `PING (empty body, ${pingWire}-byte wire frames) between the bridge and the virtual coffee machine, both in one process, over a socat pty pair; ${rounds} rounds of ${pings} sequential pings (median RTT) and ${pings} pings with 4 in flight; baseline = computed 8N1 wire time at the set baud (a pty does not throttle to the baud rate)`,
      rows,
    };
  },
};
