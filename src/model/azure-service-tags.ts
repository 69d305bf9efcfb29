/**
 * The service tags Azure publishes for NSG rules, by name: Microsoft's "Virtual
 * network service tags" table (articles/virtual-network/service-tags-overview.md,
 * 2021 and 2023 versions), without the three tags whose addresses follow from the
 * topology (VirtualNetwork, Internet, AzureLoadBalancer) and the platform tags
 * (AzurePlatformDNS, AzurePlatformIMDS, AzurePlatformLKM), which stand for host
 * addresses (168.63.129.16, 169.254.169.254), not public ones.
 *
 * The position of a name is the place of its symbolic block (symbolic-tags.ts):
 * append new names, never reorder, so that a tag keeps its addresses from one
 * version of tierwall to the next. AzureCloud comes first.
 */
export const AZURE_SERVICE_TAGS: readonly string[] = [
  "AzureCloud",
  "ActionGroup",
  "ApiManagement",
  "ApplicationInsightsAvailability",
  "AppConfiguration",
  "AppService",
  "AppServiceManagement",
  "AutonomousDevelopmentPlatform",
  "AzureActiveDirectory",
  "AzureActiveDirectoryDomainServices",
  "AzureAdvancedThreatProtection",
  "AzureArcInfrastructure",
  "AzureAttestation",
  "AzureBackup",
  "AzureBotService",
  "AzureCognitiveSearch",
  "AzureConnectors",
  "AzureContainerAppsService",
  "AzureContainerRegistry",
  "AzureCosmosDB",
  "AzureDatabricks",
  "AzureDataExplorerManagement",
  "AzureDataLake",
  "AzureDeviceUpdate",
  "AzureDevSpaces",
  "AzureDevOps",
  "AzureDigitalTwins",
  "AzureEventGrid",
  "AzureFrontDoor.Frontend",
  "AzureFrontDoor.Backend",
  "AzureFrontDoor.FirstParty",
  "AzureHealthcareAPIs",
  "AzureInformationProtection",
  "AzureIoTHub",
  "AzureKeyVault",
  "AzureLoadTestingInstanceManagement",
  "AzureMachineLearning",
  "AzureMachineLearningInference",
  "AzureManagedGrafana",
  "AzureMonitor",
  "AzureOpenDatasets",
  "AzureResourceManager",
  "AzureSentinel",
  "AzureSignalR",
  "AzureSiteRecovery",
  "AzureSphere",
  "AzureSpringCloud",
  "AzureStack",
  "AzureTrafficManager",
  "AzureUpdateDelivery",
  "AzureWebPubSub",
  "BatchNodeManagement",
  "ChaosStudio",
  "CognitiveServicesFrontend",
  "CognitiveServicesManagement",
  "DataFactory",
  "DataFactoryManagement",
  "Dynamics365ForMarketingEmail",
  "Dynamics365BusinessCentral",
  "EOPExternalPublishedIPs",
  "EventHub",
  "GatewayManager",
  "GuestAndHybridManagement",
  "HDInsight",
  "KustoAnalytics",
  "LogicApps",
  "LogicAppsManagement",
  "Marketplace",
  "M365ManagementActivityApi",
  "M365ManagementActivityApiWebhook",
  "MicrosoftAzureFluidRelay",
  "MicrosoftCloudAppSecurity",
  "MicrosoftContainerRegistry",
  "MicrosoftPurviewPolicyDistribution",
  "PowerBI",
  "PowerPlatformInfra",
  "PowerPlatformPlex",
  "PowerQueryOnline",
  "ServiceBus",
  "ServiceFabric",
  "Sql",
  "SqlManagement",
  "Storage",
  "StorageSyncService",
  "WindowsAdminCenter",
  "WindowsVirtualDesktop",
];

/** The tag every datacenter public address of the cloud is in. */
export const AZURE_CLOUD = "AzureCloud";

/** Tags Azure documents that stand for platform host addresses rather than public ones. */
export const PLATFORM_TAGS: readonly string[] = [
  "AzurePlatformDNS",
  "AzurePlatformIMDS",
  "AzurePlatformLKM",
];

/** A published tag as its service and, for a regional one (`Sql.WestEurope`), its region. */
export interface PublishedTag {
  readonly service: string;
  /** The service's place in AZURE_SERVICE_TAGS. */
  readonly index: number;
  readonly region?: string;
}

const REGION = /^[A-Za-z][A-Za-z0-9]*$/;
const INDEX = new Map(AZURE_SERVICE_TAGS.map((name, i) => [name, i]));

/**
 * The tag `text` names, when Azure publishes it: a name of the list, or one
 * followed by `.Region` (any name of letters and digits: Azure's regions,
 * including AzureCloud's irregular ones such as `AzureCloud.centralfrance`).
 * Names are compared exactly, as the built-in tags are.
 */
export function publishedTag(text: string): PublishedTag | undefined {
  const whole = INDEX.get(text);
  if (whole !== undefined) return { service: text, index: whole };
  const dot = text.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const service = text.slice(0, dot);
  const region = text.slice(dot + 1);
  const index = INDEX.get(service);
  if (index === undefined || !REGION.test(region)) return undefined;
  return { service, index, region };
}

/** The published name spelled like `text` but for case, to suggest in a hint. */
export function publishedSpelling(text: string): string | undefined {
  const lower = text.toLowerCase();
  const dot = lower.lastIndexOf(".");
  const whole = AZURE_SERVICE_TAGS.find((n) => n.toLowerCase() === lower);
  if (whole) return whole;
  if (dot <= 0) return undefined;
  const service = AZURE_SERVICE_TAGS.find((n) => n.toLowerCase() === lower.slice(0, dot));
  return service && REGION.test(text.slice(dot + 1)) ? `${service}${text.slice(dot)}` : undefined;
}
