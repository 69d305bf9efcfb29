/**
 * The seed's estate as ARM resources, for the server's tests (and its
 * environments, tiers and assertions as a workspace): the NSG
 * RestrictBackendApi with the rules of examples/layered-ase (read from the
 * example, so the two never differ), the virtual network with the API
 * subnet under it, and a machine in that subnet at apiase's addresses (its
 * interface's private one, and its public IP), which Network Watcher's
 * questions need.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
export const GROUP = "rg-ase";
const RG = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}`;
export const LOCATION = "southcentralus";

export const ids = {
  nsg: `${RG}/providers/Microsoft.Network/networkSecurityGroups/RestrictBackendApi`,
  vnet: `${RG}/providers/Microsoft.Network/virtualNetworks/yourvnetnamehere`,
  apiSubnet: `${RG}/providers/Microsoft.Network/virtualNetworks/yourvnetnamehere/subnets/API-ASE-Subnet`,
  nic: `${RG}/providers/Microsoft.Network/networkInterfaces/api-nic`,
  publicIp: `${RG}/providers/Microsoft.Network/publicIPAddresses/api-pip`,
  vm: `${RG}/providers/Microsoft.Compute/virtualMachines/api-vm`,
  watcher: `${RG}/providers/Microsoft.Network/networkWatchers/NetworkWatcher_southcentralus`,
};

interface ExampleRule {
  name: string;
  [property: string]: unknown;
}

/** The example's file, found above this module (which is compiled elsewhere for benchmarks). */
function exampleFile(): string {
  for (
    let dir = dirname(fileURLToPath(import.meta.url));
    dir !== dirname(dir);
    dir = dirname(dir)
  ) {
    const file = join(dir, "examples", "layered-ase", "tierwall.yaml");
    if (existsSync(file)) return file;
  }
  throw new Error("examples/layered-ase/tierwall.yaml is not above this module");
}

interface Example {
  networkSecurityGroups: { securityRules: ExampleRule[] }[];
  environments: unknown[];
  tiers: unknown[];
  assertions: unknown[];
}

const example = (): Example => parse(readFileSync(exampleFile(), "utf8")) as Example;

/**
 * The example's workspace: its environments (the four App Service
 * Environments, placed in the subnets of seedResources' network), tiers and
 * assertions, as `PUT .../providers/Tierwall/workspaces/default` takes them.
 */
export function seedWorkspace(): { properties: Record<string, unknown[]> } {
  const { environments, tiers, assertions } = example();
  return { properties: { environments, tiers, assertions } };
}

/** The example's rules, as ARM's `securityRules` (name and properties). */
export function seedRules(): { name: string; properties: Record<string, unknown> }[] {
  return (example().networkSecurityGroups[0]?.securityRules ?? []).map(
    ({ name, ...properties }) => ({
      name,
      properties,
    }),
  );
}

/** The resources in the order they can be created, each as [id, PUT body]. */
export function seedResources(): [string, object][] {
  return [
    [ids.nsg, { location: LOCATION, properties: { securityRules: seedRules() } }],
    [
      ids.vnet,
      {
        location: LOCATION,
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [
            { name: "FE1-ASE-Subnet", properties: { addressPrefix: "10.0.1.0/24" } },
            { name: "FE2-ASE-Subnet", properties: { addressPrefix: "10.0.2.0/24" } },
            { name: "FE3-ASE-Subnet", properties: { addressPrefix: "10.0.3.0/24" } },
            {
              name: "API-ASE-Subnet",
              properties: { addressPrefix: "10.0.4.0/24", networkSecurityGroup: { id: ids.nsg } },
            },
          ],
        },
      },
    ],
    [
      ids.publicIp,
      {
        location: LOCATION,
        sku: { name: "Standard" },
        properties: { publicIPAllocationMethod: "Static", ipAddress: "203.0.113.40" },
      },
    ],
    [
      ids.nic,
      {
        location: LOCATION,
        properties: {
          ipConfigurations: [
            {
              name: "ipconfig1",
              properties: {
                privateIPAllocationMethod: "Static",
                privateIPAddress: "10.0.4.4",
                subnet: { id: ids.apiSubnet },
                publicIPAddress: { id: ids.publicIp },
              },
            },
          ],
        },
      },
    ],
    [
      ids.vm,
      {
        location: LOCATION,
        properties: { networkProfile: { networkInterfaces: [{ id: ids.nic }] } },
      },
    ],
    [ids.watcher, { location: LOCATION, properties: {} }],
  ];
}
