import { stringify } from "yaml";
import type { Topology } from "../model/types.js";
import { orderedRule } from "./edit.js";

/** A deployment as spec text, in the spec's order; empty sections left out. */
export function writeSpec(topology: Topology, header?: string): string {
  const doc: Record<string, unknown> = {};
  if (topology.virtualNetworks.length > 0) doc.virtualNetworks = topology.virtualNetworks;
  if (topology.applicationSecurityGroups.length > 0)
    doc.applicationSecurityGroups = topology.applicationSecurityGroups;
  if (topology.networkInterfaces.length > 0) doc.networkInterfaces = topology.networkInterfaces;
  if (topology.environments.length > 0) doc.environments = topology.environments;
  if (topology.networkSecurityGroups.length > 0)
    doc.networkSecurityGroups = topology.networkSecurityGroups.map((n) => ({
      ...n,
      securityRules: n.securityRules.map(orderedRule),
    }));
  const text = stringify(doc, { lineWidth: 0 });
  return header
    ? `${header
        .split("\n")
        .map((l) => `# ${l}`.trimEnd())
        .join("\n")}\n${text}`
    : text;
}
