/**
 * A whole number given on the command line, in decimal digits only: Number()
 * also reads "1e3", "0x10", " 80 " and "" (0), which no one means as a port,
 * a priority or a timeout. Undefined for anything else.
 */
export function wholeNumber(text: string): number | undefined {
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined;
}
