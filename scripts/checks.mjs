#!/usr/bin/env node
/**
 * The static checks of `npm test`: typecheck, lint and format:check, run side by side instead of one
 * after the other. On CI's two cores the typed lint (about 60 CPU-seconds on a fresh clone, no cache)
 * runs on one core while tsc and prettier (about 30 and 20) share the other. Each check's output is
 * printed whole when it ends, under its name, so the log reads as before; the exit code is 1 when any
 * check failed, after all of them have ended.
 */
import { spawn } from 'node:child_process';

const CHECKS = ['typecheck', 'lint', 'format:check'];

/** npm as it runs this script (npm_execpath), so `npm test` and `node scripts/checks.mjs` behave alike. */
function npmRun(script) {
  const npmCli = process.env.npm_execpath;
  return npmCli
    ? spawn(process.execPath, [npmCli, 'run', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('npm', ['run', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function runCheck(script) {
  const began = Date.now();
  return new Promise((resolve) => {
    const child = npmRun(script);
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    let done = false;
    const finish = (ok, verdict) => {
      if (done) return;
      done = true;
      const text = Buffer.concat(output).toString();
      const seconds = ((Date.now() - began) / 1000).toFixed(1);
      const gap = text === '' || text.endsWith('\n') ? '' : '\n';
      process.stdout.write(`${text}${gap}== ${script} ${verdict} in ${seconds} s\n`);
      resolve({ script, ok });
    };
    child.once('error', (err) => finish(false, `could not start: ${err.message}`));
    child.once('close', (code, signal) =>
      finish(code === 0, code === 0 ? 'passed' : `failed (${signal ?? `exit ${code}`})`),
    );
  });
}

const results = await Promise.all(CHECKS.map(runCheck));
const failed = results.filter((r) => !r.ok).map((r) => r.script);
if (failed.length > 0) {
  process.stderr.write(`checks failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
