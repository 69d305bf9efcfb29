import { Document, visit } from "yaml";
import { escapeHiddenButLayout, hasHidden, hasLoneSurrogate } from "../model/hidden-characters.js";
import type { Topology } from "../model/types.js";
import { orderedRule } from "./edit.js";

/** A deployment as spec text, in the spec's order; empty sections left out. */
export function writeSpec(topology: Topology, header?: string): string {
  const doc: Record<string, unknown> = {};
  if (topology.virtualNetworks.length > 0) doc.virtualNetworks = topology.virtualNetworks;
  if (topology.applicationSecurityGroups.length > 0)
    doc.applicationSecurityGroups = topology.applicationSecurityGroups;
  if (topology.publicIPAddresses?.length) doc.publicIPAddresses = topology.publicIPAddresses;
  if (topology.routeTables?.length) doc.routeTables = topology.routeTables;
  if (topology.networkInterfaces.length > 0) doc.networkInterfaces = topology.networkInterfaces;
  if (topology.loadBalancers?.length) doc.loadBalancers = topology.loadBalancers;
  if (topology.applicationGateways?.length) doc.applicationGateways = topology.applicationGateways;
  if (topology.virtualMachineScaleSets?.length)
    doc.virtualMachineScaleSets = topology.virtualMachineScaleSets;
  if (topology.natGateways?.length) doc.natGateways = topology.natGateways;
  if (topology.privateEndpoints?.length) doc.privateEndpoints = topology.privateEndpoints;
  if (topology.bastionHosts?.length) doc.bastionHosts = topology.bastionHosts;
  if (topology.environments.length > 0) doc.environments = topology.environments;
  if (topology.networkSecurityGroups.length > 0)
    doc.networkSecurityGroups = topology.networkSecurityGroups.map((n) => ({
      ...n,
      securityRules: n.securityRules.map(orderedRule),
    }));
  const document = new Document(doc);
  // Text holding hidden characters is double-quoted, where \u escapes mean the
  // same, so that the written spec shows them (see escapeHiddenButLayout).
  visit(document, {
    Scalar: (_, node) => {
      if (typeof node.value === "string" && (hasHidden(node.value) || hasLoneSurrogate(node.value)))
        node.type = "QUOTE_DOUBLE";
    },
  });
  const text = document.toString({ lineWidth: 0 });
  return escapeHiddenButLayout(
    header
      ? `${header
          .split("\n")
          .map((l) => `# ${l}`.trimEnd())
          .join("\n")}\n${text}`
      : text,
  );
}
