/**
 * Synthesis at scale: 200 tiers with 2,000 callers in all, synthesized and
 * proven; then the stable update after one more caller.
 */

import { hasErrors } from "../src/model/diagnostic.js";
import { buildNetwork } from "../src/model/network.js";
import { ServiceTagCatalog } from "../src/model/service-tags.js";
import type { Environment, Subnet, Topology } from "../src/model/types.js";
import { resolveTiers, type TierSpec } from "../src/synth/intent.js";
import { proveSynthesis } from "../src/synth/prove.js";
import { applySynthesis, DEFAULT_OPTIONS, synthesize } from "../src/synth/synthesize.js";
import { type Measurement, measure, QUICK } from "./measure.js";

/** Tier i is an external ASE in subnet 10.(i/250).(i%250).0/24; its callers are ASEs presenting 198.18.x.y. */
export function synthEstate(
  tierCount: number,
  callersPerTier: number,
): { topology: Topology; tiers: TierSpec[] } {
  const subnets: Subnet[] = [];
  const environments: Environment[] = [];
  const tiers: TierSpec[] = [];
  const callerSubnets = Math.ceil((tierCount * callersPerTier) / 200);
  for (let s = 0; s < callerSubnets; s++)
    subnets.push({ name: `callers-${s}`, addressPrefix: `10.200.${s}.0/24` });
  let caller = 0;
  for (let t = 0; t < tierCount; t++) {
    subnets.push({ name: `tier-${t}`, addressPrefix: `10.${Math.floor(t / 250)}.${t % 250}.0/24` });
    environments.push({
      name: `tier-${t}-ase`,
      kind: "AppServiceEnvironmentV1",
      subnet: `tier-${t}`,
      privateIPAddress: `10.${Math.floor(t / 250)}.${t % 250}.4`,
      publicIPAddress: `203.0.${Math.floor(t / 250)}.${(t % 250) + 1}`,
    });
    const callers: string[] = [];
    for (let c = 0; c < callersPerTier; c++, caller++) {
      const name = `caller-${caller}`;
      environments.push({
        name,
        kind: "AppServiceEnvironmentV1",
        subnet: `callers-${Math.floor(caller / 200)}`,
        privateIPAddress: `10.200.${Math.floor(caller / 200)}.${(caller % 200) + 4}`,
        publicIPAddress: `198.18.${Math.floor(caller / 250)}.${(caller % 250) + 1}`,
      });
      callers.push(name);
    }
    tiers.push({
      name: `tier-${t}`,
      environments: [`tier-${t}-ase`],
      callers,
      protocol: "Tcp",
      ports: [80, 443],
    });
  }
  return {
    topology: {
      virtualNetworks: [
        { name: "estate", addressSpace: { addressPrefixes: ["10.0.0.0/8"] }, subnets },
      ],
      networkSecurityGroups: [],
      applicationSecurityGroups: [],
      networkInterfaces: [],
      environments,
    },
    tiers,
  };
}

function synthesizeAndProve(topology: Topology, tierSpecs: TierSpec[]): Topology {
  const built = buildNetwork(topology, ServiceTagCatalog.empty);
  if (!built.network || hasErrors(built.diagnostics))
    throw new Error(built.diagnostics.map((d) => d.message).join("\n"));
  const { tiers, diagnostics } = resolveTiers(built.network, tierSpecs);
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  const result = synthesize(built.network, topology, tiers, DEFAULT_OPTIONS);
  if (result.diagnostics.length > 0)
    throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  const after = applySynthesis(topology, result.nsgs);
  const proven = proveSynthesis(built.network, after, tiers);
  if (!proven.network) throw new Error(proven.diagnostics.map((d) => d.message).join("\n"));
  return after;
}

export function synthBenchmarks(): {
  full: Measurement;
  update: Measurement;
  tiers: number;
  callers: number;
} {
  const { topology, tiers } = synthEstate(QUICK ? 50 : 200, 10);
  const full = measure("synthesize and prove", () => synthesizeAndProve(topology, tiers), {
    runs: 3,
  });
  // One more caller for the first tier, on the synthesized estate: only that tier's NSG changes.
  const synthesized = synthesizeAndProve(topology, tiers);
  const extra: Environment = {
    name: "late-caller",
    kind: "AppServiceEnvironmentV1",
    subnet: "callers-0",
    privateIPAddress: "10.200.0.250",
    publicIPAddress: "198.19.255.1",
  };
  const grown = { ...synthesized, environments: [...synthesized.environments, extra] };
  const first = tiers[0] as TierSpec;
  const updatedTier: TierSpec = { ...first, callers: [...(first.callers ?? []), "late-caller"] };
  const update = measure(
    "update after one caller",
    () => synthesizeAndProve(grown, [updatedTier]),
    { runs: 5 },
  );
  return { full, update, tiers: 200, callers: 2000 };
}
