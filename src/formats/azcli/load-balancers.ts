/**
 * `az network lb create` and what adds to a load balancer (`lb frontend-ip
 * create`, `lb address-pool create`, `lb probe create`, `lb rule create`,
 * `lb inbound-nat-rule create`), and what joins an interface's IP
 * configuration to a pool or inbound NAT rule (`nic ip-config address-pool
 * add`, `nic ip-config inbound-nat-rule add`; `nic create --lb-name
 * --lb-address-pools --lb-inbound-nat-rules` is read with the interface).
 *
 * As az makes them: `lb create` makes a frontend (LoadBalancerFrontEnd
 * unless --frontend-ip-name) and a pool (NAMEbepool unless
 * --backend-pool-name); with --subnet it is internal, else public, on the
 * public IP --public-ip-address names, or a new one (PublicIPNAME) made with
 * it. A rule's frontend and pool, left out, are the load balancer's only one.
 * `lb inbound-nat-pool create` (scale sets' NAT) and `lb outbound-rule create`
 * are read too.
 *
 * `--sku` left out: the SKU changed across az versions, and a script does not
 * say which az runs it. It is read as the SKU of the public IP the script
 * makes for the frontend (Azure requires the same), else as Basic, open to
 * inbound traffic where no NSG applies (the reading that hides no exposure),
 * and named (LoadBalancerSkuNotKnown).
 */
import {
  type BackendAddressPool,
  type FrontendIPConfiguration,
  type InboundNatPool,
  type InboundNatRule,
  LOAD_BALANCER_PROTOCOLS,
  LOAD_BALANCER_SKUS,
  type LoadBalancerProtocol,
  type LoadBalancingRule,
  type OutboundRule,
  PROBE_PROTOCOLS,
  type Probe,
} from "../../model/load-balancer-types.js";
import type { IpConfiguration, ResourceRef } from "../../model/types.js";
import {
  childNamed,
  joining,
  type LoadBalancerDraft,
  leftOutLoadBalancer,
  loadBalancersFrom,
  loadBalancersPerReader,
  putChild,
} from "../shared/load-balancer-drafts.js";
import { NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import {
  type AzArgs,
  type AzCommand,
  type FlagPeek,
  type FlagSpec,
  NAME_FLAG,
} from "./arguments.js";
import { named } from "./network-security.js";
import { type AzCliReader, refOf } from "./reader.js";

const drafts = loadBalancersPerReader<AzCliReader>();
const leftOut = leftOutLoadBalancer;

const LB_FLAG: FlagSpec = { names: ["--lb-name"], name: true };
const PROTOCOL_FLAG: FlagSpec = { names: ["--protocol"] };
const FRONTEND_FLAG: FlagSpec = { names: ["--frontend-ip-name", "--frontend-ip"], name: true };
const FLOATING_FLAG: FlagSpec = { names: ["--floating-ip", "--enable-floating-ip"] };
const IDLE_FLAG: FlagSpec = { names: ["--idle-timeout", "--idle-timeout-in-minutes"] };
const RESET_FLAG: FlagSpec = { names: ["--enable-tcp-reset"] };

const of = (f: FlagPeek, what: string) =>
  leftOut(`${what} ${named(f.text("name"))} of load balancer ${named(f.text("lb"))}`);

export const LOAD_BALANCER_COMMANDS: Record<string, AzCommand> = {
  "network lb create": {
    flags: {
      name: NAME_FLAG,
      sku: { names: ["--sku"] },
      frontend: { names: ["--frontend-ip-name"], name: true },
      pool: { names: ["--backend-pool-name"], name: true },
      publicIp: { names: ["--public-ip-address"], name: true },
      allocation: { names: ["--public-ip-address-allocation"] },
      vnet: { names: ["--vnet-name"], name: true },
      subnet: { names: ["--subnet"], name: true },
      address: { names: ["--private-ip-address"] },
      version: { names: ["--private-ip-address-version"] },
    },
    otherOptions: [
      "--edge-zone",
      "--frontend-ip-zone",
      "--public-ip-dns-name",
      "--public-ip-zone",
      "--subnet-address-prefix",
      "--validate",
      "--vnet-address-prefix",
    ],
    leftOut: "the load balancer is left out",
    omits: (f) => leftOut(`load balancer ${named(f.text("name"))}`),
    run: lbCreate,
  },
  "network lb frontend-ip create": {
    flags: {
      lb: LB_FLAG,
      name: NAME_FLAG,
      publicIp: { names: ["--public-ip-address"], name: true },
      vnet: { names: ["--vnet-name"], name: true },
      subnet: { names: ["--subnet"], name: true },
      address: { names: ["--private-ip-address"] },
      version: { names: ["--private-ip-address-version"] },
      prefix: { names: ["--public-ip-prefix"] },
      gateway: { names: ["--gateway-lb"] },
    },
    otherOptions: ["--zone"],
    leftOut: "the frontend is left out",
    omits: (f) => of(f, "frontend"),
    run: frontendCreate,
  },
  "network lb address-pool create": {
    flags: { lb: LB_FLAG, name: NAME_FLAG },
    otherOptions: [
      "--admin-state",
      "--backend-address",
      "--backend-addresses-config-file",
      "--drain-period",
      "--sync-mode",
      "--vnet",
    ],
    leftOut: "the backend address pool is left out",
    omits: (f) => of(f, "backend address pool"),
    run: poolCreate,
  },
  "network lb probe create": {
    flags: {
      lb: LB_FLAG,
      name: NAME_FLAG,
      protocol: PROTOCOL_FLAG,
      port: { names: ["--port"] },
      path: { names: ["--path"] },
      interval: { names: ["--interval"] },
      count: { names: ["--number-of-probes", "--threshold"] },
      threshold: { names: ["--probe-threshold"] },
    },
    leftOut: "the probe is left out",
    omits: (f) => of(f, "probe"),
    run: probeCreate,
  },
  "network lb rule create": {
    flags: {
      lb: LB_FLAG,
      name: NAME_FLAG,
      protocol: PROTOCOL_FLAG,
      frontendPort: { names: ["--frontend-port"] },
      backendPort: { names: ["--backend-port"] },
      frontend: FRONTEND_FLAG,
      pool: { names: ["--backend-pool-name", "--address-pool"], name: true },
      pools: { names: ["--backend-pools-name"], list: true },
      probe: { names: ["--probe-name", "--probe"], name: true },
      floating: FLOATING_FLAG,
      noSnat: { names: ["--disable-outbound-snat"] },
      idle: IDLE_FLAG,
      distribution: { names: ["--load-distribution"] },
      reset: RESET_FLAG,
    },
    leftOut: "the load-balancing rule is left out",
    omits: (f) => of(f, "load-balancing rule"),
    run: ruleCreate,
  },
  "network lb inbound-nat-rule create": {
    flags: {
      lb: LB_FLAG,
      name: NAME_FLAG,
      protocol: PROTOCOL_FLAG,
      frontendPort: { names: ["--frontend-port"] },
      backendPort: { names: ["--backend-port"] },
      frontend: FRONTEND_FLAG,
      start: { names: ["--frontend-port-range-start"] },
      end: { names: ["--frontend-port-range-end"] },
      pool: { names: ["--backend-address-pool", "--backend-pool-name"], name: true },
      floating: FLOATING_FLAG,
      idle: IDLE_FLAG,
      reset: RESET_FLAG,
    },
    leftOut: "the inbound NAT rule is left out",
    omits: (f) => of(f, "inbound NAT rule"),
    run: natRuleCreate,
  },
  "network lb inbound-nat-pool create": {
    flags: {
      lb: LB_FLAG,
      name: NAME_FLAG,
      protocol: PROTOCOL_FLAG,
      start: { names: ["--frontend-port-range-start"] },
      end: { names: ["--frontend-port-range-end"] },
      backendPort: { names: ["--backend-port"] },
      frontend: FRONTEND_FLAG,
      floating: FLOATING_FLAG,
      idle: IDLE_FLAG,
      reset: RESET_FLAG,
    },
    leftOut: "the inbound NAT pool is left out",
    omits: (f) => of(f, "inbound NAT pool"),
    run: natPoolCreate,
  },
  "network lb outbound-rule create": {
    flags: {
      lb: LB_FLAG,
      name: NAME_FLAG,
      protocol: PROTOCOL_FLAG,
      pool: { names: ["--address-pool"], name: true },
      frontends: { names: ["--frontend-ip-configs"], list: true },
      ports: { names: ["--outbound-ports"] },
      idle: IDLE_FLAG,
      reset: RESET_FLAG,
    },
    leftOut: "the outbound rule is left out",
    omits: (f) => of(f, "outbound rule"),
    run: outboundRuleCreate,
  },
  "network nic ip-config address-pool add": {
    flags: {
      nic: { names: ["--nic-name"], name: true },
      config: { names: ["--ip-config-name"], name: true },
      lb: LB_FLAG,
      member: { names: ["--address-pool"], name: true },
    },
    leftOut: "the membership is left out",
    omits: (f) =>
      leftOut(
        `the membership of network interface ${named(f.text("nic"))} in backend pool ${named(f.text("member"))}`,
      ),
    run: (reader, args) => memberAdd(reader, args, "pool"),
  },
  "network nic ip-config inbound-nat-rule add": {
    flags: {
      nic: { names: ["--nic-name"], name: true },
      config: { names: ["--ip-config-name"], name: true },
      lb: LB_FLAG,
      member: { names: ["--inbound-nat-rule"], name: true },
    },
    leftOut: "the membership is left out",
    omits: (f) =>
      leftOut(
        `the membership of network interface ${named(f.text("nic"))} in inbound NAT rule ${named(f.text("member"))}`,
      ),
    run: (reader, args) => memberAdd(reader, args, "natRule"),
  },
};

/** One of az's choices, compared without case: a value outside them is refused, as az refuses it. */
function choice<T extends string>(
  args: AzArgs,
  key: string,
  options: readonly T[],
): T | undefined | null {
  const text = args.optional(key);
  if (text === undefined) return undefined;
  const found = options.find((o) => o.toLowerCase() === text.toLowerCase());
  if (found !== undefined) return found;
  args.report(
    "error",
    "InvalidParameterValue",
    `${JSON.stringify(text)} is not one of ${options.join(", ")}`,
    args.valueAt(key),
  );
  return null;
}

/** A whole number from `min` to `max`; null (reported) when it is not one. */
function whole(args: AzArgs, key: string, min = 0, max = 65535): number | undefined | null {
  const text = args.optional(key);
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  args.report(
    "error",
    "InvalidParameterValue",
    `${JSON.stringify(text)} is not a whole number from ${min} to ${max}`,
    args.valueAt(key),
  );
  return null;
}

/** az's booleans: true, false, yes, no, 1, 0 (and their first letters); null (reported) when none. */
function bool(args: AzArgs, key: string): boolean | undefined | null {
  const text = args.optional(key)?.toLowerCase();
  if (text === undefined) return undefined;
  if (["true", "t", "yes", "y", "1"].includes(text)) return true;
  if (["false", "f", "no", "n", "0"].includes(text)) return false;
  args.report(
    "error",
    "InvalidParameterValue",
    `${JSON.stringify(text)} is not true or false`,
    args.valueAt(key),
  );
  return null;
}

/** The load balancer `--lb-name` names, when the script creates it; else named, and undefined. */
function parentOf(
  reader: AzCliReader,
  args: AzArgs,
  lbName: string,
  what: string,
): LoadBalancerDraft | undefined {
  const lb = drafts(reader).get(lbName.toLowerCase());
  if (!lb)
    reader.report(
      "warning",
      "ParentNotDeclared",
      `az ${args.command}: the script does not create load balancer ${JSON.stringify(lbName)}; ${what} is left out`,
      args.valueAt("lb"),
      "create the load balancer in the script, or import it too (az network lb show output)",
      leftOut(`${what} of load balancer ${JSON.stringify(lbName)}`),
    );
  return lb;
}

/** The frontend: public on a public IP, or private in `vnet/subnet`. */
function frontendOf(
  reader: AzCliReader,
  args: AzArgs,
  name: string,
  publicIp: string | undefined,
): FrontendIPConfiguration | undefined {
  const vnet = args.optional("vnet");
  const subnet = args.optional("subnet");
  const address = args.optional("address");
  const version = choice(args, "version", ["IPv4", "IPv6"] as const);
  if (version === null) return undefined;
  let frontend: FrontendIPConfiguration;
  if (subnet !== undefined && subnet !== "")
    frontend = {
      name,
      subnet: subnet.startsWith("/") || vnet === undefined ? subnet : `${vnet}/${subnet}`,
      ...(address === undefined || address === ""
        ? { privateIPAllocationMethod: "Dynamic" as const }
        : { privateIPAddress: address }),
      ...(version === "IPv6" ? { privateIPAddressVersion: "IPv6" as const } : {}),
    };
  else if (publicIp !== undefined && publicIp !== "") {
    const pipName = publicIp.split("/").filter(Boolean).pop() ?? publicIp;
    if (!reader.pips.has(pipName.toLowerCase()) && !reader.pipRefs.has(pipName.toLowerCase()))
      reader.pipRefs.set(pipName.toLowerCase(), { name: pipName, pos: args.valueAt("publicIp") });
    frontend = { name, publicIPAddress: refOf(publicIp) };
  } else {
    args.report(
      "error",
      "MissingParameter",
      "a frontend needs --public-ip-address, or --subnet (with --vnet-name) for a private address",
      args.at,
    );
    return undefined;
  }
  reader.origins.record(frontend, reader.at(args.at), {
    name: reader.at(args.givenAt("frontend") ?? args.givenAt("name")),
    publicIPAddress: reader.at(args.givenAt("publicIp")),
    subnet: reader.at(args.givenAt("subnet")),
    privateIPAddress: reader.at(args.givenAt("address")),
  });
  return frontend;
}

function lbCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const skuText = args.optional("sku");
  const frontendName = args.optional("frontend") ?? "LoadBalancerFrontEnd";
  const poolName = args.optional("pool");
  const publicIpGiven = args.optional("publicIp");
  const allocation = choice(args, "allocation", ["Dynamic", "Static"] as const);
  if (name === undefined || args.unknown || allocation === null) return;
  if (skuText !== undefined && skuText.toLowerCase() === "gateway") {
    reader.report(
      "warning",
      NOT_MODELLED_CODE,
      `az network lb create: load balancer ${JSON.stringify(name)} is a Gateway load balancer, which chains traffic through network virtual appliances; it is not modelled`,
      args.valueAt("sku"),
    );
    return;
  }
  const sku = choice(args, "sku", LOAD_BALANCER_SKUS);
  if (sku === null) return;
  const internal = args.given("subnet");
  // Without one, az makes a public IP for the frontend: PublicIP<name>.
  const publicIp = internal ? undefined : (publicIpGiven ?? `PublicIP${name}`);
  const pipName = publicIp?.split("/").filter(Boolean).pop();
  const known = pipName === undefined ? undefined : reader.pips.get(pipName.toLowerCase());
  const readSku = sku ?? (known && publicIpGiven !== undefined ? known.sku : "Basic");
  if (sku === undefined)
    reader.report(
      "info",
      "LoadBalancerSkuNotKnown",
      `az network lb create: load balancer ${JSON.stringify(name)} gives no --sku (its default changed across az versions); it is read as ${readSku}${readSku === "Basic" ? ", open to inbound traffic where no NSG applies" : ", the SKU of its public IP"}`,
      args.at,
      "give --sku Standard or --sku Basic",
    );
  if (
    pipName !== undefined &&
    publicIpGiven === undefined &&
    !reader.pips.has(pipName.toLowerCase())
  ) {
    const pip = {
      name: pipName,
      ...(args.location === undefined ? {} : { location: args.location }),
      sku: readSku,
      publicIPAllocationMethod: allocation ?? (readSku === "Standard" ? "Static" : "Dynamic"),
    } as const;
    reader.origins.record(pip, reader.at(args.at), { name: reader.at(args.at) });
    reader.pips.set(pipName.toLowerCase(), pip);
  }
  const frontend = frontendOf(reader, args, frontendName, publicIp);
  if (!frontend) return;
  const pool: BackendAddressPool = { name: poolName ?? `${name}bepool` };
  reader.origins.record(pool, reader.at(args.at), {
    name: reader.at(args.givenAt("pool") ?? args.at),
  });
  const lb: LoadBalancerDraft = {
    name,
    ...(args.location === undefined ? {} : { location: args.location }),
    sku: readSku,
    frontendIPConfigurations: [frontend],
    backendAddressPools: [pool],
    loadBalancingRules: [],
    inboundNatRules: [],
    probes: [],
  };
  reader.origins.record(lb, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    sku: reader.at(args.givenAt("sku")),
  });
  drafts(reader).set(name.toLowerCase(), lb);
}

function frontendCreate(reader: AzCliReader, args: AzArgs): void {
  const lbName = args.required("lb");
  const name = args.required("name");
  const publicIp = args.optional("publicIp");
  if (lbName === undefined || name === undefined || args.unknown) return;
  for (const key of ["prefix", "gateway"] as const)
    if (args.given(key)) {
      const prefix = key === "prefix";
      reader.report(
        "warning",
        NOT_MODELLED_CODE,
        `az ${args.command}: ${prefix ? "a frontend on a public IP prefix" : "a frontend chained to a Gateway load balancer"} is not modelled${prefix ? "; the frontend is left out" : "; its appliances' path is not shown"}`,
        args.flagAt(key),
        undefined,
        prefix
          ? leftOut(`frontend ${JSON.stringify(name)} of load balancer ${JSON.stringify(lbName)}`)
          : undefined,
      );
      if (prefix) return;
    }
  const lb = parentOf(reader, args, lbName, `frontend ${JSON.stringify(name)}`);
  if (!lb) return;
  const frontend = frontendOf(reader, args, name, publicIp);
  if (frontend) putChild(lb.frontendIPConfigurations, frontend);
}

function poolCreate(reader: AzCliReader, args: AzArgs): void {
  const lbName = args.required("lb");
  const name = args.required("name");
  if (lbName === undefined || name === undefined || args.unknown) return;
  const lb = parentOf(reader, args, lbName, `backend address pool ${JSON.stringify(name)}`);
  if (!lb) return;
  const pool: BackendAddressPool = { name };
  reader.origins.record(pool, reader.at(args.at), { name: reader.at(args.valueAt("name")) });
  putChild(lb.backendAddressPools, pool);
}

function probeCreate(reader: AzCliReader, args: AzArgs): void {
  const lbName = args.required("lb");
  const name = args.required("name");
  const protocol = args.given("protocol") ? choice(args, "protocol", PROBE_PROTOCOLS) : undefined;
  if (!args.given("protocol")) args.required("protocol");
  const port = whole(args, "port", 1);
  if (!args.given("port")) args.required("port");
  const path = args.optional("path");
  const interval = whole(args, "interval", 1, 3600);
  const count = whole(args, "count", 1, 1000);
  const threshold = whole(args, "threshold", 1, 1000);
  if (
    lbName === undefined ||
    name === undefined ||
    !protocol ||
    typeof port !== "number" ||
    interval === null ||
    count === null ||
    threshold === null ||
    args.unknown
  )
    return;
  const lb = parentOf(reader, args, lbName, `probe ${JSON.stringify(name)}`);
  if (!lb) return;
  const probe: Probe = {
    name,
    protocol,
    port,
    ...(path === undefined || path === "" ? {} : { requestPath: path }),
    ...(interval === undefined ? {} : { intervalInSeconds: interval }),
    ...(count === undefined ? {} : { numberOfProbes: count }),
    ...(threshold === undefined ? {} : { probeThreshold: threshold }),
  };
  reader.origins.record(probe, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    protocol: reader.at(args.givenAt("protocol")),
    port: reader.at(args.givenAt("port")),
  });
  putChild(lb.probes, probe);
}

/** A child named by a flag, or the load balancer's only one when the flag is left out (as az defaults it). */
function childRef(
  args: AzArgs,
  key: string,
  items: readonly { name: string }[],
  what: string,
  defaults: boolean,
): string | undefined | null {
  const given = args.optional(key);
  if (given !== undefined) {
    const name = given.split("/").filter(Boolean).pop() ?? given;
    if (childNamed(items, name)) return name;
    args.report(
      "error",
      "InvalidResourceReference",
      `the load balancer has no ${what} ${JSON.stringify(name)} (the script does not create one)`,
      args.valueAt(key),
    );
    return null;
  }
  if (!defaults) return undefined;
  if (items.length === 1) return (items[0] as { name: string }).name;
  args.report(
    "error",
    "MissingParameter",
    `the load balancer has ${items.length} ${what}s; name one (az takes the only one by default)`,
    args.at,
  );
  return null;
}

/** `--protocol`, required: Tcp, Udp or All. */
function protocolOf(args: AzArgs): LoadBalancerProtocol | undefined {
  if (!args.given("protocol")) {
    args.required("protocol");
    return undefined;
  }
  return choice(args, "protocol", LOAD_BALANCER_PROTOCOLS) ?? undefined;
}

function ruleCreate(reader: AzCliReader, args: AzArgs): void {
  const lbName = args.required("lb");
  const name = args.required("name");
  const protocol = protocolOf(args);
  const frontendPort = whole(args, "frontendPort");
  if (!args.given("frontendPort")) args.required("frontendPort");
  const backendPort = whole(args, "backendPort");
  if (!args.given("backendPort")) args.required("backendPort");
  const floating = bool(args, "floating");
  const noSnat = bool(args, "noSnat");
  const reset = bool(args, "reset");
  const idle = whole(args, "idle", 4, 100);
  const distribution = choice(args, "distribution", [
    "Default",
    "SourceIP",
    "SourceIPProtocol",
  ] as const);
  const poolList = args.list("pools");
  if (
    lbName === undefined ||
    name === undefined ||
    protocol === undefined ||
    typeof frontendPort !== "number" ||
    typeof backendPort !== "number" ||
    [floating, noSnat, reset, idle, distribution].includes(null) ||
    args.unknown
  )
    return;
  const lb = parentOf(reader, args, lbName, `load-balancing rule ${JSON.stringify(name)}`);
  if (!lb) return;
  const frontend = childRef(args, "frontend", lb.frontendIPConfigurations, "frontend", true);
  const pools: string[] = [];
  if (poolList !== undefined)
    for (const p of poolList) {
      const pool = p.split("/").filter(Boolean).pop() ?? p;
      if (childNamed(lb.backendAddressPools, pool)) pools.push(pool);
      else {
        args.report(
          "error",
          "InvalidResourceReference",
          `the load balancer has no backend address pool ${JSON.stringify(pool)} (the script does not create one)`,
          args.valueAt("pools"),
        );
        return;
      }
    }
  else {
    const pool = childRef(args, "pool", lb.backendAddressPools, "backend address pool", true);
    if (pool === null) return;
    if (pool !== undefined) pools.push(pool);
  }
  const probe = childRef(args, "probe", lb.probes, "probe", false);
  if (typeof frontend !== "string" || probe === null) return;
  const rule: LoadBalancingRule = {
    name,
    frontendIPConfiguration: frontend,
    ...(pools.length === 1 ? { backendAddressPool: pools[0] as string } : {}),
    ...(pools.length > 1 ? { backendAddressPools: pools } : {}),
    ...(probe === undefined ? {} : { probe }),
    protocol,
    frontendPort,
    backendPort,
    ...(typeof floating === "boolean" ? { enableFloatingIP: floating } : {}),
    ...(typeof noSnat === "boolean" ? { disableOutboundSnat: noSnat } : {}),
    ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
    ...(distribution ? { loadDistribution: distribution } : {}),
    ...(typeof reset === "boolean" ? { enableTcpReset: reset } : {}),
  };
  reader.origins.record(rule, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    frontendIPConfiguration: reader.at(args.givenAt("frontend")),
    backendAddressPool: reader.at(args.givenAt("pool") ?? args.givenAt("pools")),
    probe: reader.at(args.givenAt("probe")),
    protocol: reader.at(args.givenAt("protocol")),
    frontendPort: reader.at(args.givenAt("frontendPort")),
    backendPort: reader.at(args.givenAt("backendPort")),
    enableFloatingIP: reader.at(args.givenAt("floating")),
  });
  putChild(lb.loadBalancingRules, rule);
}

function natRuleCreate(reader: AzCliReader, args: AzArgs): void {
  const lbName = args.required("lb");
  const name = args.required("name");
  const protocol = protocolOf(args);
  const frontendPort = whole(args, "frontendPort");
  const start = whole(args, "start");
  const end = whole(args, "end");
  const backendPort = whole(args, "backendPort");
  if (!args.given("backendPort")) args.required("backendPort");
  const floating = bool(args, "floating");
  const reset = bool(args, "reset");
  const idle = whole(args, "idle", 4, 100);
  if (
    lbName === undefined ||
    name === undefined ||
    protocol === undefined ||
    typeof backendPort !== "number" ||
    [frontendPort, start, end, floating, reset, idle].includes(null) ||
    args.unknown
  )
    return;
  const lb = parentOf(reader, args, lbName, `inbound NAT rule ${JSON.stringify(name)}`);
  if (!lb) return;
  const frontend = childRef(args, "frontend", lb.frontendIPConfigurations, "frontend", true);
  const pool = childRef(args, "pool", lb.backendAddressPools, "backend address pool", false);
  if (typeof frontend !== "string" || pool === null) return;
  const v2 = typeof start === "number" && typeof end === "number" && pool !== undefined;
  if (typeof frontendPort !== "number" && !v2) {
    args.report(
      "error",
      "MissingParameter",
      "an inbound NAT rule needs --frontend-port, or --frontend-port-range-start, --frontend-port-range-end and --backend-address-pool",
      args.at,
    );
    return;
  }
  const rule: InboundNatRule = {
    name,
    frontendIPConfiguration: frontend,
    protocol,
    ...(typeof frontendPort === "number"
      ? { frontendPort }
      : {
          frontendPortRangeStart: start as number,
          frontendPortRangeEnd: end as number,
          backendAddressPool: pool as string,
        }),
    backendPort,
    ...(typeof floating === "boolean" ? { enableFloatingIP: floating } : {}),
    ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
    ...(typeof reset === "boolean" ? { enableTcpReset: reset } : {}),
  };
  reader.origins.record(rule, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    frontendIPConfiguration: reader.at(args.givenAt("frontend")),
    protocol: reader.at(args.givenAt("protocol")),
    frontendPort: reader.at(args.givenAt("frontendPort")),
    frontendPortRangeStart: reader.at(args.givenAt("start")),
    frontendPortRangeEnd: reader.at(args.givenAt("end")),
    backendAddressPool: reader.at(args.givenAt("pool")),
    backendPort: reader.at(args.givenAt("backendPort")),
  });
  putChild(lb.inboundNatRules, rule);
}

function natPoolCreate(reader: AzCliReader, args: AzArgs): void {
  const lbName = args.required("lb");
  const name = args.required("name");
  const protocol = protocolOf(args);
  const start = whole(args, "start");
  if (!args.given("start")) args.required("start");
  const end = whole(args, "end");
  if (!args.given("end")) args.required("end");
  const backendPort = whole(args, "backendPort");
  if (!args.given("backendPort")) args.required("backendPort");
  const floating = bool(args, "floating");
  const reset = bool(args, "reset");
  const idle = whole(args, "idle", 4, 100);
  if (
    lbName === undefined ||
    name === undefined ||
    protocol === undefined ||
    typeof start !== "number" ||
    typeof end !== "number" ||
    typeof backendPort !== "number" ||
    [floating, reset, idle].includes(null) ||
    args.unknown
  )
    return;
  const lb = parentOf(reader, args, lbName, `inbound NAT pool ${JSON.stringify(name)}`);
  if (!lb) return;
  const frontend = childRef(args, "frontend", lb.frontendIPConfigurations, "frontend", true);
  if (typeof frontend !== "string") return;
  const pool: InboundNatPool = {
    name,
    frontendIPConfiguration: frontend,
    protocol,
    frontendPortRangeStart: start,
    frontendPortRangeEnd: end,
    backendPort,
    ...(typeof floating === "boolean" ? { enableFloatingIP: floating } : {}),
    ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
    ...(typeof reset === "boolean" ? { enableTcpReset: reset } : {}),
  };
  reader.origins.record(pool, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    frontendIPConfiguration: reader.at(args.givenAt("frontend")),
    protocol: reader.at(args.givenAt("protocol")),
    frontendPortRangeStart: reader.at(args.givenAt("start")),
    frontendPortRangeEnd: reader.at(args.givenAt("end")),
    backendPort: reader.at(args.givenAt("backendPort")),
  });
  lb.inboundNatPools ??= [];
  putChild(lb.inboundNatPools, pool);
}

function outboundRuleCreate(reader: AzCliReader, args: AzArgs): void {
  const lbName = args.required("lb");
  const name = args.required("name");
  const protocol = protocolOf(args);
  const poolName = args.required("pool");
  const frontendNames = args.list("frontends");
  if (frontendNames === undefined) args.required("frontends");
  const ports = whole(args, "ports", 0, 64000);
  const idle = whole(args, "idle", 4, 120);
  const reset = bool(args, "reset");
  if (
    lbName === undefined ||
    name === undefined ||
    protocol === undefined ||
    poolName === undefined ||
    frontendNames === undefined ||
    [ports, idle, reset].includes(null) ||
    args.unknown
  )
    return;
  const lb = parentOf(reader, args, lbName, `outbound rule ${JSON.stringify(name)}`);
  if (!lb) return;
  const pool = childRef(args, "pool", lb.backendAddressPools, "backend address pool", false);
  if (typeof pool !== "string") return;
  const frontends: string[] = [];
  for (const f of frontendNames) {
    const frontend = f.split("/").filter(Boolean).pop() ?? f;
    if (!childNamed(lb.frontendIPConfigurations, frontend)) {
      args.report(
        "error",
        "InvalidResourceReference",
        `the load balancer has no frontend ${JSON.stringify(frontend)} (the script does not create one)`,
        args.valueAt("frontends"),
      );
      return;
    }
    frontends.push(frontend);
  }
  const rule: OutboundRule = {
    name,
    frontendIPConfigurations: frontends,
    backendAddressPool: pool,
    protocol,
    ...(typeof ports === "number" ? { allocatedOutboundPorts: ports } : {}),
    ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
    ...(typeof reset === "boolean" ? { enableTcpReset: reset } : {}),
  };
  reader.origins.record(rule, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    frontendIPConfigurations: reader.at(args.givenAt("frontends")),
    backendAddressPool: reader.at(args.givenAt("pool")),
    protocol: reader.at(args.givenAt("protocol")),
  });
  lb.outboundRules ??= [];
  putChild(lb.outboundRules, rule);
}

/**
 * A pool or NAT rule an interface joins, by name with its load balancer
 * (`LB/NAME`) or by id; undefined (reported) when a name comes without
 * --lb-name, which az refuses.
 */
export function memberRefOf(
  args: AzArgs,
  lbName: string | undefined,
  member: string,
  key: string,
): ResourceRef | undefined {
  if (member.startsWith("/")) {
    const parts = member.split("/").filter(Boolean);
    const at = parts.findIndex((p) => p.toLowerCase() === "loadbalancers");
    const lb = at >= 0 ? parts[at + 1] : undefined;
    const child = parts[parts.length - 1];
    return lb !== undefined && child !== undefined ? `${lb}/${child}` : { id: member };
  }
  if (lbName === undefined || lbName === "") {
    args.report(
      "error",
      "MissingParameter",
      `${JSON.stringify(member)} names a ${key === "member" || key === "pools" ? "pool or rule" : "member"} without its load balancer: give --lb-name, or its id`,
      args.at,
    );
    return undefined;
  }
  return `${lbName}/${member}`;
}

function memberAdd(reader: AzCliReader, args: AzArgs, kind: "pool" | "natRule"): void {
  const nicName = args.required("nic");
  const configName = args.required("config");
  const lbName = args.optional("lb");
  const member = args.required("member");
  if (nicName === undefined || configName === undefined || member === undefined || args.unknown)
    return;
  const ref = memberRefOf(args, lbName, member, "member");
  if (ref === undefined) return;
  const nic = reader.nics.get(nicName.toLowerCase());
  const index =
    nic?.ipConfigurations.findIndex(
      (c) => (c.name ?? "").toLowerCase() === configName.toLowerCase(),
    ) ?? -1;
  const what = `the membership of network interface ${JSON.stringify(nicName)} in ${kind === "pool" ? "backend pool" : "inbound NAT rule"} ${JSON.stringify(member)}`;
  if (!nic || index < 0) {
    reader.report(
      "warning",
      "NetworkInterfaceNotDeclared",
      `az ${args.command}: ${nic ? `network interface ${JSON.stringify(nicName)} has no IP configuration ${JSON.stringify(configName)}` : `the script does not create network interface ${JSON.stringify(nicName)}${reader.leftOutNics.has(nicName.toLowerCase()) ? " (it is left out)" : ""}`}; ${what} is left out`,
      args.valueAt("nic"),
      "import the interface too (az network nic show output, or the template that creates it)",
      leftOut(what),
    );
    return;
  }
  const config = nic.ipConfigurations[index] as IpConfiguration;
  const joined = joining(
    config,
    kind === "pool" ? "loadBalancerBackendAddressPools" : "loadBalancerInboundNatRules",
    ref,
    reader.origins,
    reader.at(args.valueAt("member")),
  );
  const ipConfigurations = nic.ipConfigurations.map((c, i) => (i === index ? joined : c));
  const changed = { ...nic, ipConfigurations };
  reader.origins.carry(nic, changed);
  reader.nics.set(nicName.toLowerCase(), changed);
}

/** What the topology holds of the load balancers the script creates: left out when none. */
export function loadBalancersOf(reader: AzCliReader): ReturnType<typeof loadBalancersFrom> {
  return loadBalancersFrom(drafts(reader), reader.origins);
}
