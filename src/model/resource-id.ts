import { type ResourceRef, refName } from "./types.js";

/**
 * The type and names an ARM resource id of Microsoft.Network names, types in
 * lower case: `networksecuritygroups`, or `virtualnetworks/subnets` with the
 * network as `parent`.
 */
export function armId(id: string): { type: string; name: string; parent?: string } | undefined {
  const m = /\/providers\/Microsoft\.Network\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/i.exec(
    id,
  );
  if (!m) return undefined;
  const type = (m[1] as string).toLowerCase();
  return m[3] === undefined
    ? { type, name: m[2] as string }
    : { type: `${type}/${m[3].toLowerCase()}`, name: m[4] as string, parent: m[2] as string };
}

/** The resource types a spec refers to, as ARM ids name them. */
const REFERENCED = {
  networkSecurityGroups: "network security group",
  applicationSecurityGroups: "application security group",
  virtualNetworks: "virtual network",
  "virtualNetworks/subnets": "subnet",
  networkInterfaces: "network interface",
  publicIPAddresses: "public IP address",
  routeTables: "route table",
  natGateways: "NAT gateway",
  loadBalancers: "load balancer",
  "loadBalancers/frontendIPConfigurations": "load balancer frontend",
  "loadBalancers/backendAddressPools": "backend address pool",
  "loadBalancers/inboundNatRules": "inbound NAT rule",
  "loadBalancers/inboundNatPools": "inbound NAT pool",
  "loadBalancers/probes": "load balancer probe",
  "networkInterfaces/ipConfigurations": "IP configuration",
  applicationGateways: "application gateway",
  "applicationGateways/frontendIPConfigurations": "application gateway frontend",
  "applicationGateways/frontendPorts": "application gateway frontend port",
  "applicationGateways/httpListeners": "application gateway listener",
  "applicationGateways/backendAddressPools": "application gateway backend pool",
  "applicationGateways/backendHttpSettingsCollection": "application gateway backend settings",
  "applicationGateways/redirectConfigurations": "application gateway redirection",
} as const;

export type ReferencedType = keyof typeof REFERENCED;

/** What a reference names: a resource's name, or (given by an ARM id) its name and type's parent. */
export type Referenced =
  | { readonly name: string; readonly parent?: string; readonly problem?: undefined }
  | { readonly problem: string };

/** Whether a reference is written as an ARM id: `{ id }`, or a string that starts with '/'. */
export const isIdRef = (ref: ResourceRef): boolean =>
  typeof ref !== "string" || ref.startsWith("/");

/**
 * The resource a reference names, which must be of `type`: a name as written,
 * or the name (and, for a subnet, its network) of an ARM id of that type. An
 * id of another type (a virtual network where an NSG belongs) or no
 * Microsoft.Network id at all is a problem, never taken by its last segment.
 */
export function referenced(ref: ResourceRef, type: ReferencedType): Referenced {
  if (!isIdRef(ref)) return { name: refName(ref) };
  const id = typeof ref === "string" ? ref : ref.id;
  const parsed = armId(id);
  if (parsed?.type === type.toLowerCase())
    return parsed.parent === undefined
      ? { name: parsed.name }
      : { name: parsed.name, parent: parsed.parent };
  const [outer, inner] = type.split("/");
  const form =
    inner === undefined
      ? `${type}/NAME`
      : `${outer}/${outer === "virtualNetworks" ? "NETWORK" : "PARENT"}/${inner}/NAME`;
  return {
    problem: `${JSON.stringify(id)} is not the id of a ${REFERENCED[type]} (…/providers/Microsoft.Network/${form})`,
  };
}
