/** A position in the user's file, 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type Severity = "error" | "warning" | "info";

/** A path from the root of the user's document to the offending value. */
export type ValuePath = readonly (string | number)[];

/**
 * One problem found in the user's input, validation, lint or verification alike.
 * `code` is Azure's error code where Azure has one, else a stable tierwall code.
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly path: ValuePath;
  readonly hint?: string;
  readonly location?: SourceLocation;
}

export const error = (code: string, message: string, path: ValuePath, hint?: string): Diagnostic =>
  hint === undefined
    ? { severity: "error", code, message, path }
    : { severity: "error", code, message, path, hint };

export const warning = (
  code: string,
  message: string,
  path: ValuePath,
  hint?: string,
): Diagnostic =>
  hint === undefined
    ? { severity: "warning", code, message, path }
    : { severity: "warning", code, message, path, hint };

export const info = (code: string, message: string, path: ValuePath, hint?: string): Diagnostic =>
  hint === undefined
    ? { severity: "info", code, message, path }
    : { severity: "info", code, message, path, hint };

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === "error");
