/**
 * App Service Environments as imports write them: what the resource says
 * (kind, subnet, internal or external) and the addresses Azure assigned it,
 * which a deployed estate's output gives and a template never does. An address
 * not known is Dynamic in the spec (model/types.ts): a free host of the subnet,
 * or a stand-in public address shown as `<name>`. The addresses may come from
 * another file than the resource (`az appservice ase list-addresses` beside
 * `az appservice ase list`): they travel as a placeholder environment that
 * merges into the declaration of the same name.
 */
import { type Diagnostic, info, warning } from "../../model/diagnostic.js";
import type { Environment, EnvironmentKind } from "../../model/types.js";
import type { Origins } from "./origins.js";

/** The addresses Azure assigned an App Service Environment, as its output gives them. */
export interface AseAddresses {
  /** Its address in its subnet (an internal environment's inbound address). */
  readonly privateIPAddress?: string;
  /** Its public inbound address (VIP). */
  readonly publicIPAddress?: string;
  /** The address it calls out from. */
  readonly outboundIPAddress?: string;
}

/** What the resource itself says of an App Service Environment. */
export interface AseDeclaration {
  readonly name: string;
  readonly kind: EnvironmentKind;
  /** `VNET/SUBNET`. */
  readonly subnet: string;
  readonly ingress: "External" | "Internal";
}

/**
 * The environment, with the addresses known and Dynamic for the others. An
 * internal environment is reached on its private address; its public address
 * (a v1 or v2 ILB environment's VIP) is only where it calls out from.
 */
export function placedEnvironment(ase: AseDeclaration, addresses: AseAddresses): Environment {
  const internal = ase.ingress === "Internal";
  const inbound = internal ? undefined : addresses.publicIPAddress;
  const outbound =
    addresses.outboundIPAddress ?? (internal ? addresses.publicIPAddress : undefined);
  const publicUnknown = (!internal && inbound === undefined) || (outbound ?? inbound) === undefined;
  return {
    name: ase.name,
    kind: ase.kind,
    subnet: ase.subnet,
    ...(addresses.privateIPAddress === undefined
      ? { privateIPAllocationMethod: "Dynamic" }
      : { privateIPAddress: addresses.privateIPAddress }),
    ...(inbound === undefined ? {} : { publicIPAddress: inbound }),
    ...(outbound === undefined || outbound === inbound ? {} : { outboundIPAddress: outbound }),
    ...(publicUnknown ? { publicIPAllocationMethod: "Dynamic" } : {}),
    ingress: ase.ingress,
  };
}

/** The addresses an environment as written gives. */
function addressesOf(env: Environment): AseAddresses {
  const internal = env.ingress === "Internal";
  const pub = typeof env.publicIPAddress === "string" ? env.publicIPAddress : undefined;
  return {
    ...(env.privateIPAddress === undefined ? {} : { privateIPAddress: env.privateIPAddress }),
    ...(pub === undefined ? {} : { publicIPAddress: pub }),
    ...(env.outboundIPAddress !== undefined
      ? { outboundIPAddress: env.outboundIPAddress }
      : internal && pub !== undefined
        ? { outboundIPAddress: pub }
        : {}),
  };
}

const lower = (s: string) => s.toLowerCase();

/**
 * The environments with each placeholder (addresses an output gives of an
 * environment it does not declare) merged into the declaration of the same
 * name. A placeholder nothing declares is left out, and named. Then each
 * imported environment whose addresses are not all known is named with what
 * stands for them.
 */
export function mergeEnvironments(
  environments: readonly Environment[],
  origins: Origins,
): { environments: Environment[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const declared = environments.filter((e) => !origins.isPlaceholder(e));
  const out = [...declared];
  for (const placeholder of environments.filter((e) => origins.isPlaceholder(e))) {
    const at = out.findIndex((e) => lower(e.name) === lower(placeholder.name));
    const into = out[at];
    if (into === undefined || typeof into.subnet !== "string") {
      diagnostics.push({
        ...warning(
          "AppServiceEnvironmentNotDeclared",
          `the addresses of App Service Environment ${JSON.stringify(placeholder.name)} are given, but no imported file declares it (its subnet and whether it is internal are not known); they are left out`,
          [],
          "import az appservice ase list (or show) output, or the template that creates it, with them",
        ),
        ...located(origins, placeholder),
      });
      continue;
    }
    const merged = placedEnvironment(
      {
        name: into.name,
        kind: into.kind,
        subnet: into.subnet,
        ingress: into.ingress ?? "External",
      },
      { ...addressesOf(into), ...addressesOf({ ...placeholder, ingress: into.ingress }) },
    );
    origins.carry(into, merged);
    out[at] = merged;
  }
  for (const env of out) {
    const note = unknownAddresses(env);
    if (note) diagnostics.push({ ...note, ...located(origins, env) });
  }
  return { environments: out, diagnostics };
}

/** What an environment imported with addresses not known stands on, and how to give them. */
function unknownAddresses(env: Environment): Diagnostic | undefined {
  const privateUnknown = env.privateIPAllocationMethod === "Dynamic";
  const publicUnknown = env.publicIPAllocationMethod === "Dynamic";
  if (!privateUnknown && !publicUnknown) return undefined;
  const subnet = typeof env.subnet === "string" ? env.subnet : "its subnet";
  const parts = [
    ...(publicUnknown
      ? [
          `its ${env.ingress === "Internal" ? "outbound" : "public (VIP) and outbound"} address${env.ingress === "Internal" ? " is" : "es are"} assigned when deploying and not known: ${env.ingress === "Internal" ? "it stands" : "they stand"} as <${env.name}>, which a rule matches only by Internet, * or a block covering every address, never by an address it names`,
        ]
      : []),
    ...(privateUnknown
      ? [`its private address is some free host of subnet ${subnet}, shown by the subnet`]
      : []),
  ];
  const make = publicUnknown ? warning : info;
  return make(
    "EnvironmentAddressNotKnown",
    `App Service Environment ${env.name}: ${parts.join("; ")}`,
    [],
    publicUnknown
      ? `import what az appservice ase list-addresses --name ${env.name} prints (v1, v2) or az appservice ase show (v3) with it, or give publicIPAddress and outboundIPAddress in the spec`
      : "give privateIPAddress in the spec where a flow needs the exact host",
  );
}

const located = (origins: Origins, env: Environment) => {
  const location = origins.locate(env, ["name"]);
  return location ? { location } : {};
};
