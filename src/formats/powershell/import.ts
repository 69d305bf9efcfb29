/**
 * Imports the NSGs, rules, ASGs and subnet associations a PowerShell script
 * creates, with the classic Service Management cmdlets of the guide or the Az
 * module. The script is read, never run: every statement not understood is
 * reported.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import type { Origins } from "../shared/origins.js";
import type { Inventory } from "../shared/summary.js";
import { NetworkCmdlets } from "./cmdlets.js";
import { Script } from "./script.js";

export function importPowerShell(
  text: string,
  file: string,
  origins?: Origins,
): { topology: Topology; diagnostics: Diagnostic[]; inventory: Inventory } {
  const script = new Script(file);
  const network = new NetworkCmdlets(script, origins);
  script.run(text, network.handlers());
  return {
    topology: network.topology(),
    diagnostics: script.diagnostics,
    inventory: script.inventory,
  };
}
