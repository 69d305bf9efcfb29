/**
 * References between application gateways and network interfaces across
 * imported files: an interface that joins a backend pool of a gateway no file
 * declares, or a pool (as `az network application-gateway show` prints it)
 * that names an interface no file holds. Such a reference is dropped, named,
 * so that what is written is what `check` accepts; the membership it stood
 * for sends nothing in the spec (the backend is reached less, never more).
 */
import { type Diagnostic, warning } from "../../model/diagnostic.js";
import { armId } from "../../model/resource-id.js";
import type {
  ApplicationGateway,
  IpConfiguration,
  NetworkInterface,
  ResourceRef,
  Topology,
} from "../../model/types.js";
import type { Origins } from "./origins.js";

const lower = (s: string) => s.toLowerCase();

/** `GATEWAY/POOL` of a reference to a pool, or undefined when it is not one. */
function poolOf(ref: ResourceRef): { gateway: string; pool: string } | undefined {
  if (typeof ref === "string" && !ref.startsWith("/")) {
    const [gateway, pool] = ref.split("/", 2);
    return gateway !== undefined && pool !== undefined ? { gateway, pool } : undefined;
  }
  const parsed = armId(typeof ref === "string" ? ref : ref.id);
  return parsed?.parent === undefined ? undefined : { gateway: parsed.parent, pool: parsed.name };
}

/** The interface an IP configuration reference names (`{ id }`, `NIC/CONFIG` or `NIC`). */
function nicOf(ref: ResourceRef): string | undefined {
  if (typeof ref === "string" && !ref.startsWith("/")) return ref.split("/", 1)[0];
  const parsed = armId(typeof ref === "string" ? ref : ref.id);
  return parsed?.type === "networkinterfaces/ipconfigurations" ? parsed.parent : undefined;
}

export function settleGatewayReferences(
  topology: Topology,
  origins: Origins,
): { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const gateways = topology.applicationGateways ?? [];
  const place = (root: object, path: (string | number)[]) => {
    const location = origins.locate(root, path);
    return location ? { location } : {};
  };
  const declares = (ref: ResourceRef): boolean => {
    const target = poolOf(ref);
    if (!target) return true; // the model reports it
    const gw = gateways.find((g) => lower(g.name) === lower(target.gateway));
    return (gw?.backendAddressPools ?? []).some((p) => lower(p.name) === lower(target.pool));
  };
  const networkInterfaces = topology.networkInterfaces.map((nic, n): NetworkInterface => {
    const configs = nic.ipConfigurations.map((config, c): IpConfiguration => {
      const refs = config.applicationGatewayBackendAddressPools ?? [];
      const kept = refs.filter((ref, k) => {
        if (declares(ref)) return true;
        const target = poolOf(ref);
        diagnostics.push({
          ...warning(
            "ApplicationGatewayNotDeclared",
            `network interface ${nic.name}: the backend pool ${target ? `${target.pool} of application gateway ${target.gateway}` : JSON.stringify(ref)} is declared by no imported file; what the gateway sends to the interface is left out`,
            [
              "networkInterfaces",
              n,
              "ipConfigurations",
              c,
              "applicationGatewayBackendAddressPools",
              k,
            ],
            "import what declares the application gateway too (its template, or az network application-gateway show output)",
          ),
          ...place(nic, ["ipConfigurations", c, "applicationGatewayBackendAddressPools", k]),
        });
        return false;
      });
      if (kept.length === refs.length) return config;
      const { applicationGatewayBackendAddressPools: _p, ...rest } = config;
      const next = {
        ...rest,
        ...(kept.length > 0 ? { applicationGatewayBackendAddressPools: kept } : {}),
      };
      origins.carry(config, next);
      return next;
    });
    if (configs.every((c, i) => c === nic.ipConfigurations[i])) return nic;
    const next = { ...nic, ipConfigurations: configs };
    origins.carry(nic, next);
    return next;
  });
  // Members a pool names that no imported file holds.
  const nics = new Set(topology.networkInterfaces.map((n) => lower(n.name)));
  const applicationGateways = gateways.map((gw, g): ApplicationGateway => {
    const pools = (gw.backendAddressPools ?? []).map((pool, p) => {
      const members = pool.backendIPConfigurations ?? [];
      const kept = members.filter((ref, k) => {
        const nic = nicOf(ref);
        if (nic === undefined || nics.has(lower(nic))) return true;
        diagnostics.push({
          ...warning(
            "NetworkInterfaceNotDeclared",
            `application gateway ${gw.name}: backend pool ${pool.name} names network interface ${nic}, which no imported file declares; it is left out of the pool`,
            ["applicationGateways", g, "backendAddressPools", p, "backendIPConfigurations", k],
            "import what declares the interface too",
          ),
          ...place(pool, ["backendIPConfigurations", k]),
        });
        return false;
      });
      if (kept.length === members.length) return pool;
      const { backendIPConfigurations: _m, ...rest } = pool;
      const next = { ...rest, ...(kept.length > 0 ? { backendIPConfigurations: kept } : {}) };
      origins.carry(pool, next);
      return next;
    });
    if (pools.every((p, i) => p === gw.backendAddressPools?.[i])) return gw;
    const next = { ...gw, backendAddressPools: pools };
    origins.carry(gw, next);
    return next;
  });
  return {
    topology: {
      ...topology,
      networkInterfaces,
      ...(topology.applicationGateways ? { applicationGateways } : {}),
    },
    diagnostics,
  };
}
