/**
 * Named error codes, defined once and carried across process boundaries
 * (MQTT results, HTTP errors, CLI exit messages, logs and counters).
 */
export const ErrorCode = {
  // Input crossing a boundary
  BAD_JSON: 'BAD_JSON',
  SCHEMA_INVALID: 'SCHEMA_INVALID',
  TOPIC_INVALID: 'TOPIC_INVALID',
  ID_INVALID: 'ID_INVALID',
  PACKET_TOO_LARGE: 'PACKET_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  DUPLICATE: 'DUPLICATE',
  /** A device sent more messages or bytes than its ingest budget allows (issue 12 #9). */
  OVER_BUDGET: 'OVER_BUDGET',
  /** A diagnostics snapshot named a sensor that its model's profile does not declare. */
  UNKNOWN_SENSOR: 'UNKNOWN_SENSOR',
  // Authentication and authorisation
  BAD_CREDENTIALS: 'BAD_CREDENTIALS',
  CLIENT_ID_MISMATCH: 'CLIENT_ID_MISMATCH',
  NOT_AUTHORIZED: 'NOT_AUTHORIZED',
  FORBIDDEN_ROLE: 'FORBIDDEN_ROLE',
  CSRF: 'CSRF',
  RATE_LIMITED: 'RATE_LIMITED',
  /** A staff member with a generated password must choose their own before anything else. */
  PASSWORD_CHANGE_REQUIRED: 'PASSWORD_CHANGE_REQUIRED',
  // Command checks, in the order the agent applies them
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  UNTRUSTED_KEY: 'UNTRUSTED_KEY',
  WRONG_DEVICE: 'WRONG_DEVICE',
  EXPIRED: 'EXPIRED',
  CLOCK_SKEW: 'CLOCK_SKEW',
  REPLAY: 'REPLAY',
  /** The command's key was dropped by a newer signed key list (issue 12 #10). */
  KEY_REVOKED: 'KEY_REVOKED',
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  BAD_PARAMS: 'BAD_PARAMS',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  ACTION_FAILED: 'ACTION_FAILED',
  /** The customer tapped "Decline" on an action that needs them (profile `needsCustomer`, issue 16). */
  CUSTOMER_DECLINED: 'CUSTOMER_DECLINED',
  /** Nobody answered the touchscreen's question for such an action within the agent's wait. */
  CUSTOMER_NO_ANSWER: 'CUSTOMER_NO_ANSWER',
  // Command keys and the signer (issue 12 #10)
  /** A key list that is not newer than the one held: a replay of an older list. */
  KEY_LIST_STALE: 'KEY_LIST_STALE',
  /** A key file that group or others may read; chmod 600 it. */
  KEY_FILE_INSECURE: 'KEY_FILE_INSECURE',
  /** An encrypted key file without a passphrase, or with the wrong one. */
  KEY_PASSPHRASE: 'KEY_PASSPHRASE',
  /** The signer's own policy refused to sign (action not allowed, over its rate). */
  SIGNER_REFUSED: 'SIGNER_REFUSED',
  /** The signer process cannot be reached or did not answer in time. */
  SIGNER_UNAVAILABLE: 'SIGNER_UNAVAILABLE',
  /** Cluster mode: no engine node (RabbitMQ) took the message; the process reconnects by itself (issue 15). */
  ENGINE_UNAVAILABLE: 'ENGINE_UNAVAILABLE',
  // Firmware bridge
  FRAME_CRC: 'FRAME_CRC',
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  FRAME_MALFORMED: 'FRAME_MALFORMED',
  FRAME_VERSION: 'FRAME_VERSION',
  MCU_TIMEOUT: 'MCU_TIMEOUT',
  MCU_ERROR: 'MCU_ERROR',
  LINK_DOWN: 'LINK_DOWN',
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  UNEXPECTED_SEQ: 'UNEXPECTED_SEQ',
  // Help flows
  FLOW_INVALID: 'FLOW_INVALID',
  EXPRESSION_INVALID: 'EXPRESSION_INVALID',
  // Generic
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error that carries a named code, so callers branch on the code and never on the message text. */
export class TouchpointError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'TouchpointError';
    this.code = code;
    this.details = details;
  }
}

/** A result value: errors as values, in the style of zod's safeParse. */
export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; reason: string };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, reason: string): Result<T> => ({ ok: false, code, reason });
