/**
 * Errors as ARM writes them: `{"error": {"code", "message", "details"}}`,
 * with the HTTP status that goes with each. The codes are Azure's where Azure
 * has one (the model's diagnostics already use them: SecurityRuleConflict,
 * SecurityRuleInvalidPriority, InvalidResourceName...).
 */

export interface ArmErrorDetail {
  readonly code: string;
  readonly message: string;
  /** Where in the request body: `properties.securityRules[1].properties.priority`. */
  readonly target?: string;
  /** ARM's place for what a code alone cannot carry: `[{ type, info }]`. */
  readonly additionalInfo?: readonly { readonly type: string; readonly info: object }[];
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ArmErrorDetail[] = [],
    /** Headers the answer carries (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Where in the request body the error is. */
    readonly target?: string,
  ) {
    super(message);
    this.name = "ArmError";
  }
}

export function armErrorBody(e: ArmError): {
  error: { code: string; message: string; target?: string; details?: readonly ArmErrorDetail[] };
} {
  return {
    error: {
      code: e.code,
      message: e.message,
      ...(e.target !== undefined ? { target: e.target } : {}),
      ...(e.details.length > 0 ? { details: e.details } : {}),
    },
  };
}
