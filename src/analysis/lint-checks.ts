/**
 * The catalogue of lint's checks: for each finding's id, its severity, why it
 * matters, how to fix it and an example. SARIF's rule metadata and the
 * README's table of checks are written from it, and a test requires every id
 * that lint can report to be here.
 */
import type { Severity } from "../model/diagnostic.js";

export interface LintCheck {
  readonly id: string;
  /** The severity the check reports at (RedundantRule is a note for a deliberate deny-all). */
  readonly severity: Severity;
  /** One line: what the check finds. */
  readonly title: string;
  /** Why it matters. */
  readonly rationale: string;
  /** What to do about it. */
  readonly fix: string;
  /** A rule or situation that triggers it. */
  readonly example: string;
  /** GitHub code scanning's scale, 0.0 to 10.0: how much an attacker gains. */
  readonly securitySeverity: number;
  readonly tags: readonly string[];
}

export const LINT_CHECKS: readonly LintCheck[] = [
  {
    id: "InternetExposedAdminPort",
    severity: "error",
    title: "An endpoint's administrative port is reachable from the Internet at large",
    rationale:
      "SSH, RDP, SMB, database and similar ports reachable from any address are scanned and brute-forced within minutes of exposure. Judged per endpoint (VM, environment, scale set) on its effective path: its public IP or a public load balancer's rule to it, by SKU (Standard is closed unless an NSG allows; Basic is open), and the NSGs on its subnet and network interface. The cause is named: the rules that let the traffic in, or no NSG behind an open-by-default entry. Ports are protocol-aware (SSH is TCP; RDP is TCP and UDP).",
    fix: "Allow administrative ports only from known address ranges, or reach the hosts through Azure Bastion or a VPN; where no NSG applies, add one (or use a Standard public IP).",
    example:
      "A VM with a Basic public IP in a subnet with no NSG, or Allow Tcp from Internet to * port 3389 on the NSG of a subnet whose VM has a public IP.",
    securitySeverity: 9.0,
    tags: ["security", "exposure"],
  },
  {
    id: "AdminPortAllowedFromInternet",
    severity: "warning",
    title:
      "A rule lets the Internet in on an administrative port, but no endpoint of the spec is reached through it",
    rationale:
      "No host behind the NSG has a public IP or a public load balancer rule that the rule serves (or another NSG denies the traffic), so nothing is exposed today; a public IP added later makes it an exposure without any change to the rule.",
    fix: "Allow administrative ports only from known address ranges.",
    example:
      "Allow Tcp from * to * port 22 on the NSG of a subnet whose VMs have no public IP and no public load balancer.",
    securitySeverity: 5.0,
    tags: ["security", "exposure"],
  },
  {
    id: "UnassociatedNsg",
    severity: "info",
    title: "An NSG is associated with no subnet and no network interface",
    rationale:
      "It filters nothing, so its rules are not linted (their findings would be noise); a leftover NSG is also one that someone may later associate without review. A spec of NSGs alone, with no subnet or network interface at all, is linted rule by rule instead.",
    fix: "Associate it with the subnet or network interface it is meant for, or delete it.",
    example: "An NSG left in a template after its subnet moved to another NSG.",
    securitySeverity: 0.0,
    tags: ["maintainability"],
  },
  {
    id: "AseSelfCallNotAllowed",
    severity: "error",
    title: "An external App Service Environment cannot call itself",
    rationale:
      "An external ASE's calls to its own apps leave through its outbound address and come back from the Internet; the layered-security guide calls this the sometimes overlooked rule. Without it, apps in the environment fail to call each other.",
    fix: "Add inbound rules allowing the environment's outbound address on the ports its apps serve, as for its other callers.",
    example:
      "The API environment's NSG allows the web front ends' addresses but not the API environment's own outbound address.",
    securitySeverity: 1.0,
    tags: ["availability", "app-service-environment"],
  },
  {
    id: "AseManagementTrafficBlocked",
    severity: "error",
    title: "The platform's management traffic cannot reach an App Service Environment",
    rationale:
      "App Service Environments need inbound management (v1: 454-455 from the Internet; v2: 454-455 from AppServiceManagement and 16001 from AzureLoadBalancer; v3: 80 from AzureLoadBalancer). Azure cannot manage an environment without it.",
    fix: "Allow the listed sources and ports above any rule that denies them.",
    example:
      "A deny-all at priority 4000 with no rule for AppServiceManagement on 454-455 before it (v2).",
    securitySeverity: 1.0,
    tags: ["availability", "app-service-environment"],
  },
  {
    id: "AseManagementNotChecked",
    severity: "info",
    title: "Management traffic could not be checked without the AppServiceManagement tag",
    rationale:
      "Whether a v2 environment's management traffic gets in depends on the addresses of the AppServiceManagement service tag, which the spec does not give.",
    fix: "Name Azure's service-tags file in the spec's serviceTags.",
    example: "An AppServiceEnvironmentV2 with a subnet NSG and no serviceTags file.",
    securitySeverity: 0.0,
    tags: ["availability", "app-service-environment"],
  },
  {
    id: "ShadowedRule",
    severity: "warning",
    title:
      "A rule never takes effect: earlier rules with the opposite access decide all it matches",
    rationale:
      "The rule says one thing and the NSG does another: its author meant it to decide traffic that rules with a lower priority number decide the other way first.",
    fix: "Give it a lower priority number than the rules before it, or narrow those rules.",
    example: "Deny Tcp from Internet port 22 at 200 after Allow * from * port 22 at 100.",
    securitySeverity: 5.0,
    tags: ["correctness"],
  },
  {
    id: "RedundantRule",
    severity: "warning",
    title: "A rule changes nothing: removing it leaves every decision the same",
    rationale:
      "A rule that rules before or after it already decide the same way adds to review and to the rule limit without effect, and hides what the NSG really relies on. An explicit deny that only repeats Azure's default deny is reported as a note: it is often kept on purpose, to be seen in flow logs.",
    fix: "Remove it, or narrow the rules that make it redundant if it is the one meant to decide.",
    example:
      "Allow Tcp from 10.0.1.0/24 port 443 at 200 after Allow Tcp from 10.0.0.0/16 port 443 at 100.",
    securitySeverity: 0.0,
    tags: ["maintainability"],
  },
  {
    id: "EmptyRule",
    severity: "warning",
    title: "A rule matches no packet at all",
    rationale:
      "Its source and destination have no address family in common (an IPv4 prefix against an IPv6 one, or a tag with no address of the other's family), so it never applies. VirtualNetwork on an NSG bound to no virtual network is unknown, not empty: no finding.",
    fix: "Check the rule's addresses: one side is probably a typo or the wrong family.",
    example: "Allow from 10.0.0.0/8 to 2001:db8::/32.",
    securitySeverity: 0.0,
    tags: ["correctness"],
  },
  {
    id: "CorrelatedRules",
    severity: "warning",
    title:
      "Two rules with opposite access overlap, and only their order decides the packets they share",
    rationale:
      "Neither contains the other, so reordering them, as an edit of priorities may do, silently changes who gets in.",
    fix: "Make the overlap explicit: narrow one of them so they no longer meet, or check that the order is what you mean.",
    example:
      "Deny Tcp from 10.0.0.0/16 port 80-443 at 100 and Allow Tcp from 10.0.1.0/24 port 443-8443 at 200.",
    securitySeverity: 2.0,
    tags: ["correctness"],
  },
  {
    id: "GeneralizingRule",
    severity: "info",
    title: "A later rule of opposite access contains an earlier one, its exception",
    rationale:
      "Often deliberate (a narrow deny before a broad allow); reported so that a reader sees the exception. The recommended deny-all at 4000-4096, after which nothing gets through, is not reported: its allows are its exceptions by design.",
    fix: "Nothing if the exception is meant.",
    example:
      "Deny Tcp from 10.0.1.5 port 22 at 100 before Allow Tcp from 10.0.0.0/16 port 22 at 200.",
    securitySeverity: 0.0,
    tags: ["maintainability"],
  },
  {
    id: "BroaderThanNeeded",
    severity: "info",
    title: "An allow rule lets in more than the spec's claims need",
    rationale:
      "Judged only on hosts some claim is about, with what the platform needs counted as needed: the extra traffic is attack surface no stated requirement asks for.",
    fix: "Narrow the rule, or state the traffic it is for as an assertion.",
    example: "Allow Tcp from VirtualNetwork port * when the claims only need 10.0.1.0/24 on 443.",
    securitySeverity: 3.0,
    tags: ["security", "least-privilege"],
  },
  {
    id: "PriorityCrowding",
    severity: "info",
    title: "No priority is free between two consecutive rules",
    rationale: "A rule cannot be inserted between them later without renumbering.",
    fix: "Leave gaps (100, 200, ...).",
    example: "Rules at priorities 100 and 101.",
    securitySeverity: 0.0,
    tags: ["maintainability"],
  },
  {
    id: "AddressOfNoKnownEnvironment",
    severity: "info",
    title: "A rule names an address of nothing the spec knows",
    rationale:
      "The far end of the rule's traffic is no environment, network interface or network of the spec: a typo, a retired host, or a caller the spec does not describe.",
    fix: "Declare the caller as an environment, or correct the address.",
    example: "Allow from 203.0.113.9 when no environment has that address.",
    securitySeverity: 1.0,
    tags: ["correctness"],
  },
  {
    id: "LoadBalancerClosedWithoutNsg",
    severity: "warning",
    title: "A Standard public load balancer forwards nothing: no NSG allows its traffic",
    rationale:
      "A Standard load balancer (like a Standard public IP) is closed to inbound flows unless an NSG allows them, even where no NSG applies at all, so the rule's backend receives nothing.",
    fix: "Put an NSG that allows the rule's traffic on the backend's subnet or network interface.",
    example: "A load-balancing rule on port 443 to a VM whose subnet and NIC have no NSG.",
    securitySeverity: 0.0,
    tags: ["availability", "load-balancer"],
  },
  {
    id: "LoadBalancerProbeDenied",
    severity: "warning",
    title: "An NSG denies a load balancer's health probe",
    rationale:
      "Probes come from 168.63.129.16 (AzureLoadBalancer); a backend whose probe is denied is marked down and receives no new flows.",
    fix: "Allow the AzureLoadBalancer service tag to the probe's port, above the rule that denies it.",
    example: "Deny * from * at 4000 with the probe's port allowed only from the Internet.",
    securitySeverity: 0.0,
    tags: ["availability", "load-balancer"],
  },
  {
    id: "ApplicationGatewaySubnetBlocked",
    severity: "error",
    title: "An application gateway's subnet NSG blocks what the gateway needs",
    rationale:
      "A gateway's subnet must let in GatewayManager on 65200-65535 (v2) or 65503-65534 (v1), must not deny AzureLoadBalancer, and must not deny outbound Internet. Azure refuses to deploy a v2 gateway otherwise; a v1 gateway shows its backends' health as Unknown (a warning then).",
    fix: "Allow Tcp from GatewayManager on the infrastructure ports above the rule that blocks them, and remove Deny rules for AzureLoadBalancer and outbound Internet.",
    example:
      "A v2 gateway's subnet NSG with a deny-all inbound at 4000 and no rule for GatewayManager before it.",
    securitySeverity: 0.0,
    tags: ["availability", "application-gateway"],
  },
  {
    id: "ApplicationGatewayBackendDenied",
    severity: "warning",
    title: "An NSG denies an application gateway's connection to a backend",
    rationale:
      "The gateway is a proxy: a backend sees the gateway's instances (any host of its subnet) as the source, never the client. An NSG that allows the Internet but not the gateway's subnet, or a gateway subnet that denies the way out, leaves the backend unhealthy and the listener failing.",
    fix: "Allow Tcp on the backend settings' port from the gateway's subnet prefix, in the backend's NSGs and out of the gateway's subnet.",
    example:
      "A web NSG allowing 80 from Internet behind a gateway, with a deny of VirtualNetwork before the default rules.",
    securitySeverity: 0.0,
    tags: ["availability", "application-gateway"],
  },
  {
    id: "ApplicationGatewaySubnetNotChecked",
    severity: "info",
    title: "An application gateway's subnet could not be checked for GatewayManager",
    rationale:
      "The service-tags file the spec names has no GatewayManager tag, so whether the subnet's NSG lets the gateway's management traffic in is not known.",
    fix: "Name a complete service-tags file as Azure publishes it, or leave serviceTags out for symbolic tags.",
    example: "serviceTags: a file cut down to a few tags, with an application gateway in the spec.",
    securitySeverity: 0.0,
    tags: ["availability", "application-gateway"],
  },
  {
    id: "NatGatewayWithBasicResources",
    severity: "error",
    title: "A NAT gateway on a subnet with Basic public IPs or a Basic load balancer's backends",
    rationale:
      "Azure's NAT gateway documentation: a NAT gateway cannot be used with Basic SKU public IPs or load balancers in its subnet; the deployment fails.",
    fix: "Upgrade the public IPs and load balancers to Standard, or leave the NAT gateway off the subnet.",
    example: "A subnet with natGateway set and a VM whose NIC has a Basic public IP.",
    securitySeverity: 0.0,
    tags: ["correctness", "outbound"],
  },
  {
    id: "NoInternetEgress",
    severity: "info",
    title:
      "Hosts with no way out to the Internet (defaultOutboundAccess false or a Flexible scale set, and nothing else)",
    rationale:
      "A subnet with defaultOutboundAccess false, like a Flexible scale set, gives its hosts no implicit outbound address; without a NAT gateway, their own public IP, a load balancer outbound rule or a route to an appliance, they reach nothing on the Internet whatever the NSGs allow. It may be meant so: the finding is a note.",
    fix: "Give the subnet a NAT gateway if its hosts are to reach the Internet.",
    example:
      "defaultOutboundAccess: false on a subnet whose VMs have no public IP and no NAT gateway.",
    securitySeverity: 0.0,
    tags: ["availability", "outbound"],
  },
  {
    id: "BastionNsgRuleMissing",
    severity: "error",
    title: "An NSG on AzureBastionSubnet does not allow a rule Azure Bastion requires",
    rationale:
      "Azure Bastion's documentation: if you apply an NSG to AzureBastionSubnet, you must create all of its rules (443 in from the Internet, GatewayManager and AzureLoadBalancer, 8080 and 5701 within VirtualNetwork both ways, 22 and 3389 out to VirtualNetwork, 443 out to AzureCloud, 80 out to the Internet); without one, Bastion's sessions, control plane or updates fail.",
    fix: "Allow the missing rule, for TCP and the whole of its tag, above the rule that denies it.",
    example:
      "A deny-all inbound at 4000 on AzureBastionSubnet's NSG with no rule allowing 443 from GatewayManager or the Internet before it.",
    securitySeverity: 1.0,
    tags: ["availability", "bastion"],
  },
  {
    id: "BastionTargetNotAllowed",
    severity: "info",
    title:
      "A VM that Azure Bastion should reach allows neither SSH nor RDP from the Bastion subnet",
    rationale:
      "Bastion reaches virtual machines on their private addresses from hosts of AzureBastionSubnet; a VM whose NSGs allow neither 22 nor 3389 from the whole subnet cannot be opened through it. It may be meant so: the finding is a note.",
    fix: "Allow Tcp 22 or 3389 from the Bastion subnet's range in the VM's NSG, if it is to be reached through Bastion.",
    example:
      "A VM subnet NSG that denies VirtualNetwork at 4000 and allows RDP only from an on-premises range.",
    securitySeverity: 0.0,
    tags: ["availability", "bastion"],
  },
  {
    id: "PrivateEndpointNsgNotApplied",
    severity: "info",
    title: "NSG rules would only act on private endpoints that their subnet's NSG does not filter",
    rationale:
      "With privateEndpointNetworkPolicies Disabled (Azure's default) or RouteTableEnabled, a subnet's NSG does not apply to traffic to its private endpoints: rules written for them filter nothing, and the endpoints are as open as their callers' NSGs leave them.",
    fix: "Set the subnet's privateEndpointNetworkPolicies to Enabled or NetworkSecurityGroupEnabled if the rules are meant to filter the endpoints' traffic.",
    example:
      "A subnet holding only a storage account's private endpoint, with an NSG that allows 443 from the app subnet and denies the rest.",
    securitySeverity: 3.0,
    tags: ["correctness", "private-endpoint"],
  },
  {
    id: "SuppressionExpired",
    severity: "warning",
    title: "A suppression in the spec has expired",
    rationale:
      "Suppressions accept a finding until a date, so that accepted risks are reviewed again; after it, the findings it accepted count again.",
    fix: "Fix the findings, or review the reason and set a new expiry date.",
    example:
      "suppressions: [{ check: ShadowedRule, at: api-nsg/legacy, reason: ..., expires: 2026-01-31 }] after that day.",
    securitySeverity: 0.0,
    tags: ["process"],
  },
  {
    id: "SuppressionUnused",
    severity: "info",
    title: "A suppression in the spec matches no finding",
    rationale:
      "What it accepted is gone, or its check or resource name is wrong; left in place, it would accept a future finding no one reviewed.",
    fix: "Remove it.",
    example: "A suppression of ShadowedRule at api-nsg/legacy after the rule was deleted.",
    securitySeverity: 0.0,
    tags: ["process"],
  },
];

const byId = new Map(LINT_CHECKS.map((c) => [c.id, c]));

/** The check of a finding's id, if the catalogue has it. */
export function lintCheck(id: string): LintCheck | undefined {
  return byId.get(id);
}
