import { ErrorCode, TouchpointError } from '@touchpoint/protocol';

/** The HTTP status for each error code the API returns; anything unlisted is a server fault. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_JSON]: 400,
  [ErrorCode.SCHEMA_INVALID]: 400,
  [ErrorCode.ID_INVALID]: 400,
  [ErrorCode.BAD_PARAMS]: 400,
  [ErrorCode.UNKNOWN_ACTION]: 400,
  [ErrorCode.WRONG_DEVICE]: 400,
  [ErrorCode.BAD_CREDENTIALS]: 401,
  [ErrorCode.NOT_AUTHORIZED]: 401,
  [ErrorCode.FORBIDDEN_ROLE]: 403,
  [ErrorCode.CSRF]: 403,
  [ErrorCode.PASSWORD_CHANGE_REQUIRED]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.DUPLICATE]: 409,
  [ErrorCode.REPLAY]: 409,
  /** A used, replaced or timed-out phone link or call (video). */
  [ErrorCode.EXPIRED]: 410,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.PRECONDITION_FAILED]: 409,
  /** A help content version whose flows the validator refuses cannot be proposed (issue 18). */
  [ErrorCode.FLOW_INVALID]: 422,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.PACKET_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
  /** The signer's own policy refused (issue 12 #10); its rate limit answers RATE_LIMITED. */
  [ErrorCode.SIGNER_REFUSED]: 403,
  [ErrorCode.SIGNER_UNAVAILABLE]: 503,
  /** Cluster mode: the API process has no engine node right now (issue 15). */
  [ErrorCode.ENGINE_UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL]: 500,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** A TouchpointError with an explicit status (415) or headers (Retry-After) that the code alone does not give. */
export class HttpError extends TouchpointError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number = statusFor(code),
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message);
  }
}
