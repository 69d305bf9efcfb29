/**
 * Imports the NSGs, rules, ASGs, subnet associations, network interfaces,
 * public IP addresses and load balancers a PowerShell script
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
import { LoadBalancerCmdlets } from "./load-balancers.js";
import { Script } from "./script.js";

export function importPowerShell(
  text: string,
  file: string,
  origins?: Origins,
): { topology: Topology; diagnostics: Diagnostic[]; inventory: Inventory } {
  const script = new Script(file);
  const network = new NetworkCmdlets(script, origins);
  const interfaces = new InterfaceCmdlets(script, network, origins);
  const loadBalancers = new LoadBalancerCmdlets(script, network, interfaces, origins);
  interfaces.loadBalancerMembers = (command, param, held, config) =>
    loadBalancers.memberRef(command, param, held, config);
  script.run(
    text,
    { ...network.handlers(), ...interfaces.handlers(), ...loadBalancers.handlers() },
    (held, path) => loadBalancers.members(held, path) ?? network.members(held, path),
    (held, path, value) => interfaces.assignMember(held, path, value),
  );
  const { networkInterfaces, publicIPAddresses } = interfaces.resources();
  const lbs = loadBalancers.loadBalancers();
  return {
    topology: {
      ...network.topology(),
      networkInterfaces,
      ...(publicIPAddresses.length > 0 ? { publicIPAddresses } : {}),
      ...(lbs.length > 0 ? { loadBalancers: lbs } : {}),
    },
    diagnostics: script.diagnostics,
    inventory: script.inventory,
  };
}
