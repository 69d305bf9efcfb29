import { isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { SECURITY_RULE_PROPERTIES, type SecurityRule } from "../model/types.js";
import type { SynthesizedNsg } from "../synth/synthesize.js";

export function orderedRule(rule: SecurityRule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  out.name = rule.name;
  for (const key of SECURITY_RULE_PROPERTIES) if (rule[key] !== undefined) out[key] = rule[key];
  return out;
}

/**
 * The spec's text with synthesized NSGs written in: their rules replaced or
 * added, their subnets pointed at them. The rest of the document, comments
 * included, is left as it was.
 */
export function writeSynthesis(text: string, nsgs: readonly SynthesizedNsg[]): string {
  const doc = parseDocument(text);
  const items = () => doc.get("networkSecurityGroups") as YAMLSeq | undefined;
  for (const nsg of nsgs) {
    const rules = doc.createNode(nsg.rules.map(orderedRule));
    const seq = items();
    const index = isSeq(seq)
      ? seq.items.findIndex(
          (n) =>
            isMap(n) && String((n as YAMLMap).get("name")).toLowerCase() === nsg.name.toLowerCase(),
        )
      : -1;
    if (index >= 0) doc.setIn(["networkSecurityGroups", index, "securityRules"], rules);
    else if (isSeq(seq))
      seq.add(doc.createNode({ name: nsg.name, securityRules: nsg.rules.map(orderedRule) }));
    else
      doc.set(
        "networkSecurityGroups",
        doc.createNode([{ name: nsg.name, securityRules: nsg.rules.map(orderedRule) }]),
      );
    for (const subnet of nsg.subnets) {
      const vnets = doc.get("virtualNetworks") as YAMLSeq | undefined;
      if (!isSeq(vnets)) continue;
      vnets.items.forEach((v, i) => {
        if (!isMap(v) || String((v as YAMLMap).get("name")) !== subnet.vnet) return;
        const subnets = (v as YAMLMap).get("subnets") as YAMLSeq | undefined;
        if (!isSeq(subnets)) return;
        subnets.items.forEach((s, j) => {
          if (isMap(s) && String((s as YAMLMap).get("name")) === subnet.name)
            doc.setIn(["virtualNetworks", i, "subnets", j, "networkSecurityGroup"], nsg.name);
        });
      });
    }
  }
  return keepUserLines(text, doc.toString({ lineWidth: 0 }));
}

/** A line as it reads without the padding inside flow collections (`[ a ]` and `[a]` alike). */
const unpadded = (line: string) =>
  line
    .replace(/([[{]) +/g, "$1")
    .replace(/ +([\]}])/g, "$1")
    .trimEnd();

/**
 * Re-rendering a document changes the spacing of lines it did not change
 * (flow collections, `[a]` or `[ a ]`). Lines of the output that match a line
 * of the input but for that spacing are given back as the user wrote them,
 * aligned by a longest common subsequence.
 */
function keepUserLines(original: string, rendered: string): string {
  const a = original.split("\n");
  const b = rendered.split("\n");
  if (a.length * b.length > 20_000_000) return rendered;
  const ka = a.map(unpadded);
  const kb = b.map(unpadded);
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..], as a flat table.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] =
        ka[i] === kb[j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
  const out = [...b];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (ka[i] === kb[j]) {
      out[j] = a[i] as string;
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number)) i++;
    else j++;
  }
  return out.join("\n");
}
