/**
 * What the Internet reaches through application gateways' public frontends:
 * for each one, the packets to its listeners' ports that the gateway subnet's
 * NSG admits (translated, as any public IP's, to the gateway's instance
 * address), shown as the frontend receives them. A Standard public IP (v2)
 * with no NSG on the subnet lets nothing in. What the gateway then sends on
 * is its own connection (a proxy): flow follows it to each backend.
 */
import type { Host } from "../engine/endpoint.js";
import type { ApplicationGatewayInfo, GatewayFrontendInfo } from "../model/application-gateways.js";
import { untranslated } from "./load-balancer-exposure.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";

export interface GatewayArrival {
  readonly gateway: ApplicationGatewayInfo;
  readonly frontend: GatewayFrontendInfo;
  /** `https (Https 443) -> pool web`, one per listener of the frontend. */
  readonly listeners: readonly string[];
  /** As the frontend receives them: Internet sources, the frontend's address, its listeners' ports. */
  readonly exposed: PacketSet;
}

export function gatewayArrivals(analyzer: ReachAnalyzer): GatewayArrival[] {
  const out: GatewayArrival[] = [];
  for (const gw of analyzer.network.applicationGateways?.values() ?? [])
    for (const frontend of gw.frontends) {
      if (!frontend.publicIp) continue;
      const listeners = gw.listeners.filter((l) => l.frontend === frontend);
      if (listeners.length === 0) continue;
      // As application-gateway-flow.ts: the instance address, or the frontend's own where a
      // private listener shares the port.
      const host = (shared: boolean): Host => ({
        label: `application gateway ${gw.name}`,
        address: shared ? frontend.address : gw.instanceAddress,
        vnet: gw.subnet.vnet,
        subnet: gw.subnet,
        publicAddress: frontend.address,
        ...(frontend.publicIp ? { publicIp: frontend.publicIp } : {}),
        ingress: "External",
      });
      let exposed = PacketSet.empty;
      for (const port of new Set(listeners.map((l) => l.port))) {
        const shared = gw.listeners.some((l) => l.port === port && !l.frontend.publicIp);
        const at = analyzer
          .fromOutside(analyzer.outside, host(shared))
          .allowed.intersect(
            PacketSet.box({ protocols: ["Tcp"], destinationPorts: [{ first: port, last: port }] }),
          );
        exposed = exposed.union(
          shared
            ? at
            : untranslated(at, gw.instanceAddress, port, frontend.address, {
                first: port,
                last: port,
              }),
        );
      }
      out.push({
        gateway: gw,
        frontend,
        listeners: listeners.map((l) => {
          const route = l.routes[0];
          const to = route
            ? route.redirect !== undefined
              ? `redirect ${route.redirect}`
              : `pool ${route.pool}`
            : "no routing rule";
          return `${l.name} (${l.protocol} ${l.port}) -> ${to}`;
        }),
        exposed,
      });
    }
  return out;
}
