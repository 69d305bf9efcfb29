/**
 * Port ranges as Azure takes them in a deployment: a published template
 * writes `"65503-65534 "`, and Azure deploys it, trimmed. Importers read such
 * a value trimmed and say so at its place; the spec loader stays strict.
 */

/** Whether a rule property holds port ranges. */
export const isPortField = (field: string): boolean => /PortRanges?$/.test(field);

/** The port range without the spaces around it, when it has some; undefined otherwise. */
export function trimmedPortRange(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed !== value && trimmed !== "" ? trimmed : undefined;
}

export const PORT_RANGE_TRIMMED = "PortRangeTrimmed";

/** The note an importer gives at the value it trimmed. */
export const trimmedMessage = (value: string): string =>
  `port range ${JSON.stringify(value)} is read as ${JSON.stringify(value.trim())}: Azure deploys it without the spaces around it`;
