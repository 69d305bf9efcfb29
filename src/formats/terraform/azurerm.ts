/**
 * azurerm resources to the model: NSGs (inline rules and rule resources), ASGs,
 * virtual networks and subnets, network interfaces, peerings and the
 * association resources. Whatever is not known is reported for exactly its
 * attribute, and the rule or resource that needs it is left out.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import {
  readNicAsgAssociation,
  readNicNsgAssociation,
  readSubnetNsgAssociation,
} from "./azurerm-associations.js";
import { readNic } from "./azurerm-interfaces.js";
import { readPeering, readSubnet, readVnet } from "./azurerm-networks.js";
import { AzurermReader } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import { readAsg, readNsg, readRuleResource } from "./azurerm-security.js";
import type { TfBlock, TfResource } from "./values.js";

/** The resource types read, each with its reader, in the order they run: declarations first, then what attaches to them. */
const READERS: readonly (readonly [string, (r: AzurermReader, body: TfBlock) => void])[] = [
  [AZURERM.asg, readAsg],
  [AZURERM.nsg, readNsg],
  [AZURERM.vnet, readVnet],
  [AZURERM.subnet, readSubnet],
  [AZURERM.nic, readNic],
  [AZURERM.rule, readRuleResource],
  [AZURERM.peering, readPeering],
  [AZURERM.subnetNsg, readSubnetNsgAssociation],
  [AZURERM.nicNsg, readNicNsgAssociation],
  [AZURERM.nicAsg, readNicAsgAssociation],
];

/** Reads the resources into a topology, reporting what is not known. */
export function azurermTopology(resources: readonly TfResource[]): {
  topology: Topology;
  diagnostics: Diagnostic[];
} {
  const reader = new AzurermReader();
  for (const [type, read] of READERS) {
    const bodies: TfBlock[] = [];
    for (const r of resources) {
      if (r.mode !== "managed" || r.type !== type) continue;
      if (r.body !== undefined) bodies.push(r.body);
      else if (r.skipped)
        reader.report(
          r.skipped.severity,
          r.skipped.severity === "info" ? "ResourceNotCreated" : "ExpressionNotStaticallyKnown",
          r.skipped.place,
          r.skipped.reason,
        );
    }
    for (const body of bodies) reader.guarded(() => read(reader, body));
  }
  return { topology: reader.topology(), diagnostics: reader.diagnostics };
}
