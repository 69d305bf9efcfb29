/**
 * A whole number given on the command line, in decimal digits only: Number()
 * also reads "1e3", "0x10", " 80 " and "" (0), which no one means as a port,
 * a priority or a timeout. Undefined for anything else.
 */
export function wholeNumber(text: string): number | undefined {
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined;
}

/** `--threads N` as given: the count (undefined when absent), or what is wrong with it. */
export function threadsOption(text: string | undefined): {
  readonly threads?: number;
  readonly error?: string;
} {
  if (text === undefined) return {};
  const threads = wholeNumber(text);
  if (threads === undefined || threads < 1 || threads > 64)
    return { error: `--threads ${text}: expected a whole number from 1 to 64` };
  return { threads };
}
