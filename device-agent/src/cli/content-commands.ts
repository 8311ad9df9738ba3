import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { formatModelProblem, loadModel } from '@touchpoint/models';
import { ErrorCode, ExitCode, TouchpointError, UsageError, type CliCommand } from '@touchpoint/protocol';
import { parseCommandArgs, readContentKeyFile } from '@touchpoint/runtime';
import { signHelpContent } from '@touchpoint/protocol/content-signing';
import { generateSignerKey } from '@touchpoint/protocol/signing';
import { checkHelpContent, HELP_CONTENT_MAX_BYTES } from '../extensions/commands/help-content.js';

/**
 * The device maker's side of help.install (issue 12 item 7): a content key of
 * its own, and a signed content document that devices accept from the
 * configured https origins. The document is checked with the device's own
 * rules before it is written, so a maker learns about a refused SVG here, not
 * from a device log.
 */
const KEYGEN_USAGE = `Usage: touchpoint content keygen --out FILE [--key-id ID]

Creates an Ed25519 help content key (not the fleet's command key). FILE gets the
private key (mode 0600; keep it off the broker and out of version control).
Prints the public entry for the device config's helpContent.keys.`;

const PACK_USAGE = `Usage: touchpoint content pack MODEL_DIR --key FILE --out FILE

Packs the help flows of MODEL_DIR (flows/*.json) and the images they show into
one help content document for MODEL_DIR/profile.json's model, signs it with the
content key in FILE, checks it the way a device will, and writes it to --out.
The model is read as \`touchpoint flows validate\` reads it: any problem in it is
printed the same way and nothing is written.
Upload it to a helpContent origin; an admin then sends help.install with its
https URL and the SHA-256 printed here.

Exit codes: 0 written, 1 refused (the problem is printed), 2 usage error.`;

/** A path inside the flows folder as the content document names it: relative, with '/'. */
const contentPath = (flowsDir: string, file: string): string => relative(flowsDir, file).split(sep).join('/');

export const contentKeygen: CliCommand = {
  path: ['content', 'keygen'],
  summary: 'Create a help content signing key (separate from the command key)',
  usage: KEYGEN_USAGE,
  async run(argv) {
    const { values } = parseCommandArgs({
      args: argv,
      options: { out: { type: 'string' }, 'key-id': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!values.out) throw new UsageError('--out FILE is required');
    const keyId =
      values['key-id'] ?? `content-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(keyId)) throw new UsageError('--key-id may hold A-Z a-z 0-9 . _ - (at most 64)');
    const key = generateSignerKey(keyId);
    try {
      await writeFile(values.out, `${JSON.stringify({ ...key, purpose: 'help-content' }, null, 2)}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new TouchpointError(ErrorCode.DUPLICATE, `${values.out} exists; a content key is never overwritten`);
      throw err;
    }
    console.log(`content key ${keyId} written to ${values.out} (mode 0600)`);
    console.log('add to each device config, under helpContent.keys:');
    console.log(JSON.stringify({ keyId, publicKeyPem: key.publicKeyPem }, null, 2));
    return ExitCode.ok;
  },
};

export const contentPack: CliCommand = {
  path: ['content', 'pack'],
  summary: "Sign a model folder's help flows and images into a content document for help.install",
  usage: PACK_USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs({
      args: argv,
      options: { key: { type: 'string' }, out: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    const [modelDir, ...extra] = positionals;
    if (modelDir === undefined || extra.length > 0) throw new UsageError('expected exactly one MODEL_DIR');
    if (!values.key || !values.out) throw new UsageError('--key FILE and --out FILE are required');
    const key = await readContentKeyFile(values.key);
    // The one model reader (issue 14): the same checks and problem lines as `touchpoint flows validate`.
    const model = loadModel(modelDir, { simulator: false });
    if (model.problems.length > 0) {
      for (const problem of model.problems) console.error(`touchpoint content pack: ${formatModelProblem(problem)}`);
      console.error(`touchpoint content pack: ${model.problems.length} problem(s) in ${modelDir}; nothing written`);
      return ExitCode.failure;
    }
    const { profile } = model;
    if (!profile || model.flows.length === 0)
      throw new TouchpointError(ErrorCode.NOT_FOUND, `${modelDir} has no help flows in ${model.flowsDir}`);
    const flows: Record<string, unknown> = {};
    for (const flow of model.flows) {
      const file = model.flowFiles.get(flow.id);
      if (file) flows[contentPath(model.flowsDir, file)] = flow;
    }
    const images: Record<string, string> = {};
    for (const file of model.images)
      images[contentPath(model.flowsDir, file)] = (await readFile(file)).toString('base64');

    const document = signHelpContent({ flows, images }, profile.model, key);
    const checked = checkHelpContent(document, {
      profile,
      keys: [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }],
    });
    if (!checked.ok) {
      console.error(`touchpoint content pack: a device would refuse this content: ${checked.detail} (${checked.code})`);
      return ExitCode.failure;
    }
    const body = Buffer.from(JSON.stringify(document));
    if (body.byteLength > HELP_CONTENT_MAX_BYTES) {
      console.error(
        `touchpoint content pack: ${body.byteLength} bytes is more than a device downloads by default (${HELP_CONTENT_MAX_BYTES}) (PAYLOAD_TOO_LARGE)`,
      );
      return ExitCode.failure;
    }
    await writeFile(values.out, body);
    const sha256 = createHash('sha256').update(body).digest('hex');
    console.log(
      `${values.out}: ${checked.flows} flows, ${Object.keys(images).length} images for ${profile.model}, signed with ${key.keyId}`,
    );
    console.log(`sha256 ${sha256}`);
    console.log(
      `help.install params: ${JSON.stringify({ url: `https://<your help origin>/<path>/${relative('.', values.out).split(sep).pop()}`, sha256 })}`,
    );
    return ExitCode.ok;
  },
};

export const contentCommands: CliCommand[] = [contentKeygen, contentPack];
