import { ErrorCode, TouchpointError } from '@touchpoint/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command, FrameKind, Status } from '../src/frame/constants.js';
import type { Frame } from '../src/frame/frame.js';
import { Waitress } from '../src/session/waitress.js';

function setup(overrides: Partial<{ timeoutMs: number; retries: number; maxInFlight: number }> = {}) {
  const sent: Frame[] = [];
  const warnings: string[] = [];
  const waitress = new Waitress({
    send: async (frame) => {
      sent.push(frame);
    },
    timeoutMs: overrides.timeoutMs ?? 40,
    retries: overrides.retries ?? 0,
    maxInFlight: overrides.maxInFlight ?? 4,
    warn: (m) => warnings.push(m),
  });
  const reply = (request: Frame, seq = request.seq): boolean =>
    waitress.handleResponse({
      kind: FrameKind.response,
      seq,
      command: request.command,
      status: Status.ok,
      body: Uint8Array.of(1),
    });
  return { waitress, sent, warnings, reply };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Waitress', () => {
  it('matches responses to requests by seq, whatever the order', async () => {
    const { waitress, sent, reply } = setup();
    const a = waitress.request(Command.readSensors, new Uint8Array());
    const b = waitress.request(Command.readErrors, new Uint8Array());
    await tick();
    expect(sent[0]!.seq).not.toBe(sent[1]!.seq);
    reply(sent[1]!);
    reply(sent[0]!);
    expect((await a).command).toBe(Command.readSensors);
    expect((await b).command).toBe(Command.readErrors);
  });

  it('counts and logs a response with an unexpected sequence number, and does not resolve anyone with it', async () => {
    const { waitress, sent, reply, warnings } = setup();
    const pending = waitress.request(Command.getInfo, new Uint8Array());
    await tick();
    expect(reply(sent[0]!, (sent[0]!.seq + 1) & 0xff)).toBe(false);
    expect(waitress.stats.unexpectedSeq).toBe(1);
    expect(warnings[0]).toContain('UNEXPECTED_SEQ');
    expect(reply(sent[0]!)).toBe(true);
    await expect(pending).resolves.toMatchObject({ command: Command.getInfo });
  });

  // Attempts are bounded by a deadline from the call, so late timers on a loaded machine would skip retries or
  // reorder deadlines: the schedule tests run on fake timers (Date included).
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries with the same seq, then times out with MCU_TIMEOUT', async () => {
    vi.useFakeTimers();
    const { waitress, sent } = setup({ timeoutMs: 20, retries: 2 });
    const outcome = expect(waitress.request(Command.ping, new Uint8Array())).rejects.toMatchObject({
      code: ErrorCode.MCU_TIMEOUT,
    });
    await vi.advanceTimersByTimeAsync(100);
    await outcome;
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((f) => f.seq)).size).toBe(1);
    expect(waitress.stats).toMatchObject({ retries: 2, timeouts: 1 });
    expect(waitress.inFlight).toBe(0);
  });

  it('answers a retried request when the response arrives late', async () => {
    vi.useFakeTimers();
    const { waitress, sent, reply } = setup({ timeoutMs: 20, retries: 3 });
    const pending = waitress.request(Command.ping, new Uint8Array());
    await vi.advanceTimersByTimeAsync(25);
    expect(sent).toHaveLength(2);
    reply(sent[0]!);
    await expect(pending).resolves.toBeDefined();
  });

  it('bounds concurrent requests and queues the rest in order', async () => {
    const { waitress, sent, reply } = setup({ maxInFlight: 2, timeoutMs: 1000 });
    const all = [1, 2, 3, 4].map(() => waitress.request(Command.ping, new Uint8Array()));
    await tick();
    expect(sent).toHaveLength(2);
    reply(sent[0]!);
    await all[0];
    await tick();
    expect(sent).toHaveLength(3);
    for (const frame of sent.slice(1)) reply(frame);
    await all[1];
    await all[2];
    await tick();
    reply(sent[3]!);
    await expect(Promise.all(all)).resolves.toHaveLength(4);
  });

  it('rejects a queued request at its deadline instead of letting it hang', async () => {
    vi.useFakeTimers();
    const { waitress } = setup({ maxInFlight: 1, timeoutMs: 30 });
    const first = waitress.request(Command.ping, new Uint8Array());
    const second = waitress.request(Command.ping, new Uint8Array());
    const settled = Promise.allSettled([first, second]);
    await vi.advanceTimersByTimeAsync(30);
    const [a, b] = await settled;
    expect(a).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.MCU_TIMEOUT } });
    expect(b).toMatchObject({
      status: 'rejected',
      reason: { code: ErrorCode.MCU_TIMEOUT, message: expect.stringContaining('queue') },
    });
  });

  it('rejects everything in flight on rejectAll (link down)', async () => {
    const { waitress } = setup({ timeoutMs: 5000 });
    const pending = waitress.request(Command.ping, new Uint8Array());
    await tick();
    waitress.rejectAll(new TouchpointError(ErrorCode.LINK_DOWN, 'gone'));
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.LINK_DOWN });
  });
});
