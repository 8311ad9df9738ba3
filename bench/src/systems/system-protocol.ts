import type { TrustedKey } from '@touchpoint/protocol/signing';

export interface BaselineInfo {
  pid: number;
  port: number;
}

export interface TouchpointInfo extends BaselineInfo {
  httpPort: number;
  /** The fleet's public command-signing key: what the stub agents trust. */
  signer: TrustedKey;
}

export interface TouchpointCommandRun {
  targets: string[];
  rate: number;
  warmup: number;
  count: number;
  drainMs: number;
  action: string;
  params: Record<string, unknown>;
}
