/**
 * Route tables as az scripts make them: `network route-table create`,
 * `route-table route create`, and the subnets that take them with
 * `vnet subnet create|update --route-table`.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";
import { importAzCli } from "./import.js";

const brief = (ds: readonly Diagnostic[]) =>
  ds
    .filter((d) => d.severity !== "info")
    .map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`);

const SCRIPT = `#!/bin/bash
rg=demo
az network vnet create -g $rg -n vnet --address-prefixes 10.0.0.0/16 --subnet-name web --subnet-prefixes 10.0.1.0/24
az network vnet subnet create -g $rg --vnet-name vnet -n nva --address-prefixes 10.0.2.0/24
az network vnet subnet create -g $rg --vnet-name vnet -n db --address-prefixes 10.0.3.0/24
az network route-table create -g $rg -n rt-web --disable-bgp-route-propagation true -l westeurope
az network route-table route create -g $rg --route-table-name rt-web -n to-db \\
  --address-prefix 10.0.3.0/24 --next-hop-type VirtualAppliance --next-hop-ip-address 10.0.2.4
az network route-table route create -g $rg --route-table-name rt-web -n nowhere --address-prefix 10.9.0.0/16 --next-hop-type none
az network vnet subnet update -g $rg --vnet-name vnet -n web --route-table rt-web
`;

describe("az CLI route tables", () => {
  it("reads route tables, their routes and the subnets that take them", () => {
    const { topology, diagnostics } = importAzCli(SCRIPT, "deploy.sh");
    expect(brief(diagnostics)).toEqual([]);
    expect(topology.routeTables).toEqual([
      {
        name: "rt-web",
        location: "westeurope",
        disableBgpRoutePropagation: true,
        routes: [
          {
            name: "to-db",
            addressPrefix: "10.0.3.0/24",
            nextHopType: "VirtualAppliance",
            nextHopIpAddress: "10.0.2.4",
          },
          { name: "nowhere", addressPrefix: "10.9.0.0/16", nextHopType: "None" },
        ],
      },
    ]);
    const web = topology.virtualNetworks[0]?.subnets.find((s) => s.name === "web");
    expect(web).toEqual({ name: "web", addressPrefix: "10.0.1.0/24", routeTable: "rt-web" });
  });

  it("the imported spec sends the web subnet's traffic to the database through the appliance", async () => {
    const result = await importSources([{ file: "deploy.sh", text: SCRIPT }]);
    const evaluator = new FlowEvaluator(networkOf(result.spec ?? ""));
    const r = evaluator.evaluate({
      from: "subnet:vnet/web",
      to: "subnet:vnet/db",
      protocol: "Tcp",
      destinationPort: 1433,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.nextHop).toMatchObject({ name: "to-db", nextHopType: "VirtualAppliance" });
    expect(r.result.routeReason).toMatch(/^leaves through the appliance at 10\.0\.2\.4/);
  });

  it("an update with --route-table '' detaches it; a route of a table the script does not create is named", () => {
    const { topology, diagnostics } = importAzCli(
      `${SCRIPT}az network vnet subnet update -g demo --vnet-name vnet -n web --route-table ""
az network route-table route create -g demo --route-table-name elsewhere -n r --address-prefix 10.8.0.0/16 --next-hop-type None
`,
      "deploy.sh",
    );
    expect(topology.virtualNetworks[0]?.subnets.find((s) => s.name === "web")?.routeTable).toBe(
      undefined,
    );
    expect(brief(diagnostics)).toEqual(["warning ParentNotDeclared 12:64"]);
  });

  it("a next hop az does not know is an error at its value; a value not known leaves the route out", () => {
    const { diagnostics } = importAzCli(
      `az network route-table create -g demo -n rt
az network route-table route create -g demo --route-table-name rt -n r --address-prefix 10.8.0.0/16 --next-hop-type Firewall
az network route-table route create -g demo --route-table-name rt -n s --address-prefix $PREFIX --next-hop-type None
`,
      "deploy.sh",
    );
    expect(brief(diagnostics)).toEqual([
      "error InvalidValue 2:117",
      "warning ValueNotStaticallyKnown 3:89",
    ]);
  });
});
