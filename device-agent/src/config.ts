import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { describeIssues, ErrorCode, safeId, TouchpointError } from '@touchpoint/protocol';

/**
 * The device config file (JSON). Paths are resolved against the file's own
 * directory, so a config can sit next to its data dir and profile.
 */
const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

const trustedKey = z.object({
  keyId: z.string().min(1).max(64),
  publicKeyPem: z
    .string()
    .includes('BEGIN PUBLIC KEY', { message: 'must be an SPKI PEM ("-----BEGIN PUBLIC KEY-----")' }),
});

/** An https origin (scheme, host, optional port; nothing after), as `new URL(x).origin` spells it. */
const httpsOrigin = z
  .string()
  .max(256)
  .refine((value) => URL.canParse(value) && new URL(value).protocol === 'https:', {
    message: 'must be an https:// origin',
  })
  .refine(
    (value) => {
      if (!URL.canParse(value)) return true;
      const u = new URL(value);
      return (
        u.pathname === '/' &&
        !u.search &&
        !u.hash &&
        !u.username &&
        !u.password &&
        !value.includes('?') &&
        !value.includes('#')
      );
    },
    { message: 'must be an origin only, such as https://help.example.com (no path, query or credentials)' },
  )
  .transform((value) => new URL(value).origin);

/**
 * Where `help.install` may download content from and who must have signed it
 * (issue 12 item 7). Absent: the device refuses every help.install. There is
 * deliberately no setting for private addresses or extra CAs.
 */
const helpContentConfig = z.strictObject({
  origins: z.array(httpsOrigin).min(1, 'needs at least one https origin'),
  /** The device maker's content keys (`touchpoint content keygen`); never the fleet's command keys. */
  keys: z.array(trustedKey).min(1, 'needs at least one content key'),
  maxBytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .default(8 * 1024 * 1024),
  timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
});

export const agentConfigSchema = z.strictObject({
  deviceId: safeId,
  /** mqtt://host:port or mqtts://host:port (TLS). */
  brokerUrl: z.string().refine((value) => /^mqtts?:\/\/[^/\s]+(:\d+)?\/?$/.test(value), {
    message: 'must look like mqtt://host:1883 or mqtts://host:8883',
  }),
  /** The device's credential: MQTT username = deviceId, password = token. */
  token: z.string().min(16, 'is too short to be a device token').max(512),
  tls: z
    .strictObject({
      /** CA bundle (PEM) that signed the broker's certificate; the system store is used when absent. */
      caFile: z.string().optional(),
      /** Client certificate and key for mTLS, when the broker requires them. */
      certFile: z.string().optional(),
      keyFile: z.string().optional(),
      /** Only for lab setups: accept any broker certificate. */
      rejectUnauthorized: z.boolean().default(true),
      /** TLS SNI / certificate name when the URL holds an IP address. */
      servername: z.string().optional(),
    })
    .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
      message: 'certFile and keyFile go together',
    })
    .optional(),
  serial: z.strictObject({
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(115_200),
    requestTimeoutMs: z.number().int().positive().optional(),
    retries: z.number().int().nonnegative().optional(),
  }),
  /** Holds agent.db (outbox, seen command ids) and cache/. Created when missing. */
  dataDir: z.string().min(1),
  trustedKeys: z.array(trustedKey).min(1, 'needs at least one key, or the device could never run a command'),
  /**
   * Root keys (issue 12 #10, docs/keys.md): a key list signed by one of them and newer than the one held
   * replaces trustedKeys, so the fleet can rotate its command key and drop a leaked one. Without them the
   * trusted keys never change.
   */
  rootKeys: z.array(trustedKey).max(8).optional(),
  /** The model's profile: a model directory holding profile.json, or the file itself. */
  profile: z.string().min(1),
  /** Seconds between periodic diagnostics snapshots (fractions allowed for tests). */
  diagnosticsIntervalS: z.number().min(0.05).max(86_400).default(60),
  keepaliveS: z.number().int().min(1).max(3_600).default(30),
  reconnect: z
    .strictObject({
      minMs: z.number().int().positive().default(1_000),
      maxMs: z.number().int().positive().default(60_000),
      connectTimeoutMs: z.number().int().positive().default(10_000),
    })
    .refine((r) => r.minMs <= r.maxMs, { message: 'minMs must not exceed maxMs' })
    .default({ minMs: 1_000, maxMs: 60_000, connectTimeoutMs: 10_000 }),
  outbox: z
    .strictObject({
      /** Above this, the oldest telemetry (diagnostics) is dropped; events, results and cases are kept. */
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(8 * 1024 * 1024),
      maxEntries: z.number().int().positive().default(20_000),
      /** Reports sent and not yet receipted by the fleet, at most; publishing stays in outbox order. */
      maxInflight: z.number().int().min(1).max(1_000).default(16),
      /**
       * Unreceipted reports are sent again after this wait (issue 15); it doubles, with jitter, while the
       * fleet stays silent, up to 16 times this. Every reconnect re-sends them at once.
       */
      receiptTimeoutMs: z.number().int().min(50).max(600_000).default(10_000),
    })
    .default({ maxBytes: 8 * 1024 * 1024, maxEntries: 20_000, maxInflight: 16, receiptTimeoutMs: 10_000 }),
  localServer: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Loopback only: the touch UI runs in the device's own kiosk browser. */
      host: z.enum(LOOPBACK_HOSTS).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(8787),
      /** Directory with the built touch UI (index.html); defaults to device-agent/ui/dist. */
      uiDir: z.string().optional(),
      /** Where the agent writes the kiosk URL with the per-boot secret (mode 0600); defaults to dataDir/kiosk-url. */
      kioskUrlFile: z.string().optional(),
    })
    .default({ enabled: true, host: '127.0.0.1', port: 8787 }),
  touchscreen: z
    .strictObject({
      /**
       * Seconds without a tap after which the touchscreen returns home and clears the last customer's
       * session from the screen (issue 16); 0 turns it off. Not while the device works or a call runs.
       */
      idleTimeoutS: z.number().min(0).max(3_600).default(180),
      /**
       * Whom the customer's support history names for a fix, a call or a case (issue 16, receipts): `name`, the
       * staff member's display name and role; `role`, only the role ("Support agent"), for privacy.
       */
      staffNames: z.enum(['name', 'role']).default('name'),
    })
    .default({ idleTimeoutS: 180, staffNames: 'name' }),
  helpContent: helpContentConfig.optional(),
  commands: z
    .strictObject({
      /** How far the signer's clock may be ahead of ours (issuedAt) or expiry may lag. */
      clockSkewS: z.number().int().min(0).max(3_600).default(60),
      /** How long a staff command for an action that needs the customer waits for their tap (issue 16). */
      customerWaitS: z.number().int().min(1).max(900).default(120),
      /** How long "Remote control allowed" lasts when the customer turns it on; they can end it sooner. */
      remoteControlMinutes: z.number().int().min(1).max(240).default(30),
    })
    .default({ clockSkewS: 60, customerWaitS: 120, remoteControlMinutes: 30 }),
  video: z
    .strictObject({
      /**
       * The only origin whose phone links the touchscreen shows (https, or http on loopback), e.g.
       * https://support.example.com: the broker's public URL. Default: links to the broker's own host name.
       */
      phoneOrigin: z
        .string()
        .refine(
          (value) => /^(https:\/\/[^/\s]+|http:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?)\/?$/.test(value),
          { message: 'must be an https origin such as https://support.example.com (http only on loopback)' },
        )
        .optional(),
    })
    .default({}),
  supportBundles: z
    .strictObject({
      /** How long a support bundle request waits for the customer's Send or Don't send (issue 17); never past its expiry. */
      consentWaitS: z.number().int().min(1).max(900).default(300),
    })
    .default({ consentWaitS: 300 }),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

function absolute(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function sameKey(a: string, b: string): boolean {
  try {
    const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return der(a).equals(der(b));
  } catch {
    return a.trim() === b.trim();
  }
}

/**
 * Validate a config value; relative paths are resolved against baseDir.
 * Throws TouchpointError(SCHEMA_INVALID) naming every bad field.
 */
export function parseConfig(value: unknown, baseDir: string = process.cwd()): AgentConfig {
  const parsed = agentConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `invalid device config: ${describeIssues(parsed.error)}`,
      parsed.error.issues,
    );
  }
  const config = parsed.data;
  const shared = config.helpContent?.keys.find((content) =>
    config.trustedKeys.some((command) => sameKey(content.publicKeyPem, command.publicKeyPem)),
  );
  if (shared) {
    // A key that signs commands must not also sign content: separate keys are the point of issue 12 item 7.
    throw new TouchpointError(
      ErrorCode.SCHEMA_INVALID,
      `invalid device config: helpContent.keys: ${shared.keyId} is also a command key in trustedKeys; use a separate content key`,
    );
  }
  return {
    ...config,
    dataDir: absolute(baseDir, config.dataDir),
    profile: absolute(baseDir, config.profile),
    serial: { ...config.serial, path: config.serial.path },
    tls: config.tls && {
      ...config.tls,
      caFile: config.tls.caFile && absolute(baseDir, config.tls.caFile),
      certFile: config.tls.certFile && absolute(baseDir, config.tls.certFile),
      keyFile: config.tls.keyFile && absolute(baseDir, config.tls.keyFile),
    },
    localServer: {
      ...config.localServer,
      uiDir: config.localServer.uiDir && absolute(baseDir, config.localServer.uiDir),
      kioskUrlFile: config.localServer.kioskUrlFile && absolute(baseDir, config.localServer.kioskUrlFile),
    },
  };
}

/** Read and validate a config file. Errors name the file and the field. */
export function loadConfigFile(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TouchpointError(ErrorCode.NOT_FOUND, `cannot read device config ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TouchpointError(ErrorCode.BAD_JSON, `device config ${path} is not JSON: ${(err as Error).message}`);
  }
  try {
    return parseConfig(value, dirname(resolve(path)));
  } catch (err) {
    if (err instanceof TouchpointError) throw new TouchpointError(err.code, `${path}: ${err.message}`, err.details);
    throw err;
  }
}
