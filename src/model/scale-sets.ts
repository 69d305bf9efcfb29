/**
 * Virtual machine scale sets as network interfaces. Every instance has the
 * same network configuration, so each network interface configuration of a
 * scale set stands as one symbolic interface (`vmss:NAME`, or
 * `vmss:NAME/CONFIG` for one not primary) whose IP configurations are Dynamic:
 * some host of the subnet outside Azure's reserved addresses. The builder
 * (network.ts) then treats it as any interface: its NSG, ASG membership and
 * load balancer pools; inbound NAT pools are resolved by load-balancers.ts.
 */
import { type Diagnostic, error, type ValuePath, warning } from "./diagnostic.js";
import {
  type ScaleSetIpConfiguration,
  type ScaleSetPublicIpConfiguration,
  scaleSetInterfaceName,
  type VirtualMachineScaleSet,
} from "./scale-set-types.js";
import type { IpConfiguration, NetworkInterface, Topology } from "./types.js";

/** One network interface configuration of a scale set, as the interface it stands for. */
export interface ScaleSetInterface {
  /** The interface: `vmss:NAME[/CONFIG]`, its IP configurations Dynamic. */
  readonly nic: NetworkInterface;
  /** Where the configuration is: its fields are where an interface's would be. */
  readonly path: ValuePath;
  readonly label: string;
  readonly scaleSet: string;
  /** Flexible orchestration: its instances have no default outbound access. */
  readonly flexible?: boolean;
  /** Each IP configuration's per-instance public address, if it gives one. */
  readonly publicIps: readonly (ScaleSetPublicIpConfiguration | undefined)[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Which of `items` is primary: the only one, or the one marked; reported when that is unclear. */
function primaryIndex(
  items: readonly { name: string; primary?: boolean }[],
  path: ValuePath,
  what: string,
  report: (d: Diagnostic) => void,
): number {
  if (items.length <= 1) return 0;
  const marked = items.flatMap((item, i) => (item.primary === true ? [i] : []));
  if (marked.length !== 1)
    report(
      error(
        "InvalidScaleSetNetworkProfile",
        `${what}: of several, exactly one is primary (${marked.length === 0 ? "none is" : `${marked.length} are`})`,
        path,
        "set primary: true on one",
      ),
    );
  return marked[0] ?? 0;
}

/** The interfaces the topology's scale sets stand for, with what Azure would refuse reported. */
export function scaleSetInterfaces(
  topology: Topology,
  report: (d: Diagnostic) => void,
): ScaleSetInterface[] {
  return (topology.virtualMachineScaleSets ?? []).flatMap((vmss, i) =>
    interfacesOf(vmss, ["virtualMachineScaleSets", i], report),
  );
}

function interfacesOf(
  vmss: VirtualMachineScaleSet,
  path: ValuePath,
  report: (d: Diagnostic) => void,
): ScaleSetInterface[] {
  const label = `scale set ${vmss.name}`;
  const configsPath: ValuePath = [...path, "networkProfile", "networkInterfaceConfigurations"];
  const configs = vmss.networkProfile.networkInterfaceConfigurations;
  if (configs.length === 0)
    report(
      error(
        "InvalidScaleSetNetworkProfile",
        `${label} has no network interface configuration`,
        configsPath,
      ),
    );
  const capacity = vmss.sku?.capacity;
  if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 0))
    report(
      error(
        "InvalidScaleSetCapacity",
        `${label}: capacity ${capacity} is not a whole number of instances`,
        [...path, "sku", "capacity"],
      ),
    );
  checkNames(configs, configsPath, `${label}: network interface configuration`, report);
  const primary = primaryIndex(
    configs,
    configsPath,
    `${label}: network interface configurations`,
    report,
  );
  return configs.map((config, j) => {
    const cPath: ValuePath = [...configsPath, j];
    const name = scaleSetInterfaceName(vmss.name, config.name, j === primary);
    const what = `${label}${configs.length > 1 ? ` (${config.name})` : ""}`;
    const ipPath: ValuePath = [...cPath, "ipConfigurations"];
    if (config.enableIPForwarding === true)
      report(
        warning(
          "IpForwardingNotModelled",
          `${what}: IP forwarding lets its instances forward traffic not addressed to them (as network virtual appliances do); that is not modelled`,
          [...cPath, "enableIPForwarding"],
        ),
      );
    checkNames(config.ipConfigurations, ipPath, `${what}: IP configuration`, report);
    primaryIndex(config.ipConfigurations, ipPath, `${what}: IP configurations`, report);
    const ipConfigurations: IpConfiguration[] = config.ipConfigurations.map((ip) => ({
      name: ip.name,
      privateIPAllocationMethod: "Dynamic",
      ...(ip.privateIPAddressVersion
        ? { privateIPAddressVersion: ip.privateIPAddressVersion }
        : {}),
      subnet: ip.subnet,
      ...(ip.applicationSecurityGroups
        ? { applicationSecurityGroups: ip.applicationSecurityGroups }
        : {}),
      ...(ip.loadBalancerBackendAddressPools
        ? { loadBalancerBackendAddressPools: ip.loadBalancerBackendAddressPools }
        : {}),
      ...(ip.applicationGatewayBackendAddressPools
        ? { applicationGatewayBackendAddressPools: ip.applicationGatewayBackendAddressPools }
        : {}),
    }));
    return {
      nic: {
        name,
        ...(config.networkSecurityGroup
          ? { networkSecurityGroup: config.networkSecurityGroup }
          : {}),
        ipConfigurations,
      },
      path: cPath,
      label: what,
      scaleSet: vmss.name,
      ...(vmss.orchestrationMode === "Flexible" ? { flexible: true } : {}),
      publicIps: config.ipConfigurations.map((ip) => ip.publicIPAddressConfiguration),
    };
  });
}

/**
 * Each IP configuration of the topology's scale sets, with the name of the
 * interface that stands for it (network.ts), its index there, and where it is.
 */
export function scaleSetIpConfigurations(topology: Topology): {
  readonly nicName: string;
  readonly index: number;
  readonly config: ScaleSetIpConfiguration;
  readonly path: ValuePath;
}[] {
  return (topology.virtualMachineScaleSets ?? []).flatMap((vmss, i) => {
    const configs = vmss.networkProfile.networkInterfaceConfigurations;
    const marked = configs.findIndex((c) => c.primary === true);
    const primary = configs.length <= 1 || marked < 0 ? 0 : marked;
    return configs.flatMap((nicConfig, j) =>
      nicConfig.ipConfigurations.map((config, k) => ({
        nicName: scaleSetInterfaceName(vmss.name, nicConfig.name, j === primary),
        index: k,
        config,
        path: [
          "virtualMachineScaleSets",
          i,
          "networkProfile",
          "networkInterfaceConfigurations",
          j,
          "ipConfigurations",
          k,
        ],
      })),
    );
  });
}

function checkNames(
  items: readonly { name: string }[],
  path: ValuePath,
  what: string,
  report: (d: Diagnostic) => void,
): void {
  items.forEach((item, i) => {
    const first = items.findIndex((o) => same(o.name, item.name));
    if (first < i)
      report(
        error(
          "DuplicateResourceName",
          `${what} ${item.name} is defined twice (also at [${first}])`,
          [...path, i, "name"],
        ),
      );
  });
}
