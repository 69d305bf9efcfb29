/**
 * Imports the NSGs, rules, ASGs, subnet associations, network interfaces and
 * public IP addresses a PowerShell script
 * creates, with the classic Service Management cmdlets of the guide or the Az
 * module. The script is read, never run: every statement not understood is
 * reported.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import type { Origins } from "../shared/origins.js";
import type { Inventory } from "../shared/summary.js";
import { NetworkCmdlets } from "./cmdlets.js";
import { InterfaceCmdlets } from "./interfaces.js";
import { Script } from "./script.js";

export function importPowerShell(
  text: string,
  file: string,
  origins?: Origins,
): { topology: Topology; diagnostics: Diagnostic[]; inventory: Inventory } {
  const script = new Script(file);
  const network = new NetworkCmdlets(script, origins);
  const interfaces = new InterfaceCmdlets(script, network, origins);
  script.run(
    text,
    { ...network.handlers(), ...interfaces.handlers() },
    (held, path) => network.members(held, path),
    (held, path, value) => interfaces.assignMember(held, path, value),
  );
  const { networkInterfaces, publicIPAddresses } = interfaces.resources();
  return {
    topology: {
      ...network.topology(),
      networkInterfaces,
      ...(publicIPAddresses.length > 0 ? { publicIPAddresses } : {}),
    },
    diagnostics: script.diagnostics,
    inventory: script.inventory,
  };
}
