/**
 * Domain errors and the one error envelope every response uses:
 * `{ "error": { "code", "message", "issues"?: [{ "path", "message" }] } }`.
 * Services throw DomainError; app.onError maps the code to a status through STATUS_BY_CODE.
 */
export type ErrorCode =
  | "invalid_input"
  | "invalid_json"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "duplicate_id"
  | "dependency_cycle"
  | "anchor_cycle"
  | "illegal_transition"
  | "agreement_not_empty"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "internal";

export const STATUS_BY_CODE = {
  invalid_input: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  duplicate_id: 409,
  dependency_cycle: 409,
  anchor_cycle: 409,
  illegal_transition: 409,
  agreement_not_empty: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

export interface ErrorIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
  ) {
    super(message);
    this.name = "DomainError";
  }
  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
  toBody(): { error: { code: ErrorCode; message: string; issues?: ErrorIssue[] } } {
    return {
      error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) },
    };
  }
}

export const notFound = (what: string, id: string) => new DomainError("not_found", `${what} '${id}' does not exist`);

export const invalid = (path: string, message: string) =>
  new DomainError("invalid_input", `${path}: ${message}`, [{ path, message }]);

/** One 400 naming every issue; the message leads with the first. */
export const invalidAll = (issues: ErrorIssue[]) =>
  new DomainError(
    "invalid_input",
    `${issues[0]!.path}: ${issues[0]!.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}`,
    issues,
  );
