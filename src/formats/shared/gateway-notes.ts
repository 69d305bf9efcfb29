/**
 * What an export does not write of application gateways: each one of the
 * spec, and each IP configuration's membership of their pools, named as not
 * exported, so that they never vanish in silence. ARM and Bicep with scope
 * `all` write them (arm/application-gateway-plan.ts): nothing to name then.
 */
import { type Diagnostic, info } from "../../model/diagnostic.js";
import { refName, type Topology } from "../../model/types.js";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/**
 * `writesMemberships`: the format writes an interface's gateway pools as
 * references (ARM and Bicep). `writesGateways`: it writes the gateways too.
 */
export function gatewayNotes(
  topology: Topology,
  writesMemberships: boolean,
  writesGateways: boolean,
): Diagnostic[] {
  if (writesGateways) return [];
  const notes: Diagnostic[] = [];
  (topology.applicationGateways ?? []).forEach((gw, g) => {
    notes.push(
      info(
        "NotExported",
        `application gateway ${gw.name} (${gw.sku.tier}, ${plural((gw.httpListeners ?? []).length, "listener")}, ${plural((gw.requestRoutingRules ?? []).length, "routing rule")}) is not exported; create it when deploying, or what its listeners send to the backends is not reached`,
        ["applicationGateways", g],
      ),
    );
  });
  topology.networkInterfaces.forEach((nic, n) => {
    nic.ipConfigurations.forEach((config, c) => {
      const refs = config.applicationGatewayBackendAddressPools ?? [];
      if (refs.length === 0) return;
      notes.push(
        info(
          "NotExported",
          `network interface ${nic.name}: its application gateway pools (${refs.map((r) => (typeof r === "string" ? r : refName(r))).join(", ")}) ${writesMemberships ? "are written as references to the gateway, which the export does not create: it must exist when deploying" : "are not written; join them when deploying the gateway"}`,
          ["networkInterfaces", n, "ipConfigurations", c, "applicationGatewayBackendAddressPools"],
        ),
      );
    });
  });
  return notes;
}
