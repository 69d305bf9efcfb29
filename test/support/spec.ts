import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasErrors } from "../../src/model/diagnostic.js";
import type { Network } from "../../src/model/network.js";
import type { Topology } from "../../src/model/types.js";
import { type LoadResult, loadSpec } from "../../src/specfile/load.js";

/** Loads spec text through the real loader, from a temporary file. */
export function loadSpecText(text: string, extraFiles: Record<string, string> = {}): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), "tierwall-test-"));
  try {
    writeFileSync(join(dir, "tierwall.yaml"), text);
    for (const [name, content] of Object.entries(extraFiles))
      writeFileSync(join(dir, name), content);
    return loadSpec(join(dir, "tierwall.yaml"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A valid network from spec text; fails the test with the diagnostics otherwise. */
export function networkOf(text: string): Network {
  const loaded = loadSpecText(text);
  if (!loaded.spec || hasErrors(loaded.diagnostics))
    throw new Error(loaded.diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return loaded.spec.network;
}

/** The topology of one of the examples, as its spec writes it. */
export function exampleTopology(example: string): Topology {
  const loaded = loadSpec(join(import.meta.dirname, "../../examples", example, "tierwall.yaml"));
  if (!loaded.spec) throw new Error(`examples/${example} does not load`);
  return loaded.spec.topology;
}

/** The network of one of the examples. */
export function exampleNetwork(example: string): Network {
  const loaded = loadSpec(join(import.meta.dirname, "../../examples", example, "tierwall.yaml"));
  if (!loaded.spec || hasErrors(loaded.diagnostics))
    throw new Error(`examples/${example} does not load`);
  return loaded.spec.network;
}

/** A subnet with two Dynamic interfaces, the first with NSG strict, the second with `secondNsg` (strict or open). */
export function dynamicInterfacesSpec(secondNsg: "strict" | "open"): string {
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.1.1.0/24 }
networkSecurityGroups:
  - name: strict
    securityRules:
      - { name: web, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443" }
      - { name: no-ssh, protocol: Tcp, access: Deny, priority: 200, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22" }
  - name: open
    securityRules:
      - { name: ssh, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22" }
networkInterfaces:
  - { name: a-nic, networkSecurityGroup: strict, ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: vnet/app }] }
  - { name: b-nic, networkSecurityGroup: ${secondNsg}, ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: vnet/app }] }
`;
}
