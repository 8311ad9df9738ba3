import type { TrustedKey } from '@touchpoint/protocol/signing';

export interface BaselineInfo {
  pid: number;
  port: number;
}

export interface TouchpointInfo extends BaselineInfo {
  httpPort: number;
  /** The fleet's public command-signing key: what the stub agents trust. */
  signer: TrustedKey;
  /** A staff member with role `agent`, for the console API. */
  staff: { name: string; password: string };
}
