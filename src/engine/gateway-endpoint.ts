/**
 * Application gateways' frontends as flow endpoints (`agw:NAME[/FRONTEND]`,
 * the public IP of one, or a frontend's address): a flow to one is proxied to
 * backends (application-gateway-flow.ts).
 */
import type { ApplicationGatewayInfo, GatewayFrontendInfo } from "../model/application-gateways.js";
import type { Network } from "../model/network.js";
import { displayAddress, type IpAddress, sameAddress } from "../net/address.js";

/** What endpoint.ts makes a Host of (kept apart from it, to keep that module's imports down). */
export interface GatewayEndpoint {
  readonly label: string;
  readonly frontend: GatewayFrontendInfo;
}

type Resolution =
  | { ok: true; endpoint: GatewayEndpoint }
  | { ok: false; message: string; hint?: string };

const gateways = (network: Network): ApplicationGatewayInfo[] => [
  ...(network.applicationGateways?.values() ?? []),
];

/** `GATEWAY/FRONTEND`, or `GATEWAY` when it has one frontend; undefined when no gateway has the name. */
export function gatewayByName(network: Network, text: string): Resolution | undefined {
  const slash = text.indexOf("/");
  const [name, frontendName] =
    slash < 0 ? [text, undefined] : [text.slice(0, slash), text.slice(slash + 1)];
  const gw = gateways(network).find((g) => g.name.toLowerCase() === name.toLowerCase());
  if (!gw) return undefined;
  const names = gw.frontends.map((f) => f.name).join(", ");
  if (frontendName === undefined && gw.frontends.length !== 1)
    return {
      ok: false,
      message: `application gateway ${gw.name} has ${gw.frontends.length} frontends (${names || "none"})`,
      hint: `write agw:${gw.name}/FRONTEND`,
    };
  const frontend =
    frontendName === undefined
      ? gw.frontends[0]
      : gw.frontends.find((f) => f.name.toLowerCase() === frontendName.toLowerCase());
  if (!frontend)
    return {
      ok: false,
      message: `application gateway ${gw.name} has no frontend ${JSON.stringify(frontendName)}`,
      hint: `its frontends: ${names}`,
    };
  return { ok: true, endpoint: gatewayEndpoint(frontend) };
}

/** The gateway frontend on this public IP resource (by name), if any. */
export function gatewayOnPublicIp(network: Network, pipName: string): GatewayEndpoint | undefined {
  for (const gw of gateways(network))
    for (const f of gw.frontends)
      if (f.publicIp && f.publicIp.name.toLowerCase() === pipName.toLowerCase())
        return gatewayEndpoint(f);
  return undefined;
}

/** The gateway frontend whose private address this is, if any. */
export function gatewayAt(network: Network, address: IpAddress): GatewayEndpoint | undefined {
  for (const gw of gateways(network))
    for (const f of gw.frontends)
      if (!f.publicIp && sameAddress(f.address, address)) return gatewayEndpoint(f);
  return undefined;
}

function gatewayEndpoint(frontend: GatewayFrontendInfo): GatewayEndpoint {
  const on = frontend.publicIp
    ? `public IP ${frontend.publicIp.name}`
    : `private ${displayAddress(frontend.address)}`;
  return {
    label: `application gateway ${frontend.gateway} frontend ${frontend.name} (${on})`,
    frontend,
  };
}
