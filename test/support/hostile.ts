/**
 * Text made to break out of a quoted string in each language tierwall writes
 * (PowerShell, bash and az, HCL, Bicep, JSON and ARM expressions, nft), or to
 * make the code around it read other than it runs: every quote character of
 * those languages, expansions and template sequences, line breaks, NUL and
 * other controls, bidi controls and invisible characters, backslashes at the
 * end, very long text. And a topology that holds one text in every field the
 * model leaves free (descriptions, locations, service tag names, peering and
 * IP configuration names, the ids of references), as a spec `check` accepts.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: template sequences are the point of this corpus
import type { Topology } from "../../src/model/types.js";

export interface HostileText {
  readonly name: string;
  readonly text: string;
}

const entries: Record<string, string> = {
  // PowerShell opens and closes strings at typographic quotes as well.
  "PowerShell typographic quotes around a statement": "x ’; New-Item PWNED3 ;‘ #",
  "PowerShell: every single quote": "a'b‘c’d‚e‛f",
  "PowerShell: quotes side by side": "'‘’‚‛'",
  "PowerShell: every double quote": 'a"b“c”d„e',
  "PowerShell: a statement after an ASCII quote": "it's'; New-Item PWNED ;'",
  "PowerShell: subexpression": "$(New-Item PWNED)",
  "PowerShell: variables": "$HOME ${env:PATH} $true",
  "PowerShell: char codes as text": "$([char]0x41) `$([char]0x42)",
  "PowerShell: backticks": "`n `$ `` ends with a backtick`",
  "PowerShell: here-strings": "@'\nNew-Item PWNED\n'@ @\"\nx\n\"@",
  "PowerShell: block comment": "<# x #> #> <#",
  "PowerShell: parameters": "-Force --% -Description x",
  // bash and az
  "bash: command substitution": "$(touch PWNED) `touch PWNED`",
  "bash: quote escape": "'\\'' '\"'\"'",
  "bash: ANSI-C and arithmetic": "$'\\n' $((1+1)) ${#x} !! ~root",
  "bash: glob and history": "* ? [a-z] !$",
  "bash: statements": "a; b | c & d && e || f > /tmp/PWNED",
  // HCL and Bicep templates
  "HCL: interpolation": "${var.x}",
  "HCL: directive": "%{ if true }x%{ endif }",
  "HCL: escaped template sequences": "$${x} %%{y} $$${z} %%%{w}",
  "HCL: lone template characters": "$ % x$ y% ${ %{",
  "HCL: escapes as text": "\\u0041 \\U00000041 \\n",
  "Bicep: escapes as text": "\\${x} \\u{41} \\'",
  "Bicep: multi-line quotes": "'''x'''",
  // JSON and ARM expressions
  "ARM: an expression": "[concat('a', 'b')]",
  "ARM: an escaped expression": "[[x]",
  "ARM: a bracket at the start only": "[x",
  "ARM: brackets only": "[]",
  "ARM: a closing bracket only": "x]",
  "ARM: quotes in an expression": "[resourceId('x'')]', 'y')]",
  "JSON: quotes and escapes": '\\"}], "x": [{"',
  // nft
  "nft: a statement after a quote": '"; flush ruleset; "',
  // Line breaks, NUL and other controls
  "line feed": "a\nNew-Item PWNED",
  "carriage return": "harmless\rNew-Item PWNED",
  "CR LF": "a\r\nb",
  "line break then a comment": "x\n# y",
  "only a line feed": "\n",
  NUL: "a\0b",
  tab: "a\tb",
  "other C0 controls": "\u0007\u0008\u000b\u000c\u001b[31mred\u001b[0m",
  "DEL and C1 controls": "\u007f\u0085\u009b",
  "Unicode line and paragraph separators": "a\u2028b\u2029c",
  // Bidi controls and invisible characters (Trojan Source)
  "bidi LRE": "a\u202ab",
  "bidi RLE": "a\u202bb",
  "bidi PDF": "a\u202cb",
  "bidi LRO": "a\u202db",
  "bidi RLO": "a\u202eb",
  "bidi LRI": "a\u2066b",
  "bidi RLI": "a\u2067b",
  "bidi FSI": "a\u2068b",
  "bidi PDI": "a\u2069b",
  "bidi: a reversed statement": "x\u202e ;'DEWNP metI-weN' ;\u2066",
  "left-to-right and right-to-left marks": "\u200ea\u200f",
  "zero-width characters": "a\u200b\u200c\u200d\u2060b",
  "byte order mark": "\ufeffx",
  "tag characters": "x\u{e0041}\u{e007f}",
  "variation selector and filler": "❤\ufe0f \u3164",
  // Backslashes
  "a backslash at the end": "a\\",
  "only a backslash": "\\",
  "three backslashes": "\\\\\\",
  "a backslash before each quote": "\\' \\\" \\` \\’",
  // Punctuation scripts give meaning to
  "comment signs": "# // /* */ --",
  punctuation: "; | & < > ( ) { } = ,",
  "az: a file": "@/etc/hostname",
  "az: a file after an equals sign": "x=@/etc/hostname",
  "az: shorthand words": "??",
  "az: null": "null",
  "az: shorthand quotes": "'quoted'",
  "az: shorthand list": "[0]=10.0.0.0/8",
  // Other text
  "emoji and other planes": "😀 𝒳",
  "a decomposed accent": "e\u0301",
  "very long text": "'\"`‘’“”\\\n\u202e[#;|&".repeat(800),
  "long text with template sequences": "$(x)${y}%{z}".repeat(50),
  "very long plain text": "A".repeat(10_000),
};

/** The corpus. */
export const HOSTILE_TEXTS: readonly HostileText[] = Object.entries(entries).map(
  ([name, text]) => ({ name, text }),
);

/** A text of no meaning to any language, standing where the corpus texts go. */
export const PLACEHOLDER = "PLACEHOLDERTEXT";

/** Half a surrogate pair: not text at all, which no format can write. */
export const LONE_SURROGATE = "a\ud800b";

const id = (text: string, type: string, name: string) =>
  `/subscriptions/${text}/resourceGroups/rg/providers/Microsoft.Network/${type}/${name}`;

/**
 * A topology with `text` in every field the model leaves free: the locations
 * of NSGs, ASGs and networks; a rule's description and, as a service tag,
 * its source and destination; a peering's name; an IP configuration's name;
 * and the ids by which an NSG, a subnet, ASGs and a remote network are
 * referred to. Names are valid resource names, as the model requires.
 */
export function hostileTopology(text: string): Topology {
  return {
    applicationSecurityGroups: [{ name: "a", location: text }],
    networkSecurityGroups: [
      {
        name: "n",
        location: text,
        securityRules: [
          {
            name: "r1",
            description: text,
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceAddressPrefix: text,
            sourcePortRange: "*",
            destinationAddressPrefix: text,
            destinationPortRange: "443",
          },
          {
            name: "r2",
            protocol: "Udp",
            access: "Deny",
            priority: 200,
            direction: "Outbound",
            sourceApplicationSecurityGroups: [{ id: id(text, "applicationSecurityGroups", "a") }],
            sourcePortRange: "*",
            destinationAddressPrefix: "10.0.2.0/24",
            destinationPortRanges: ["53", "5000-5010"],
          },
        ],
      },
    ],
    virtualNetworks: [
      {
        name: "v",
        location: text,
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [
          { name: "s1", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "n" },
          {
            name: "s2",
            addressPrefix: "10.0.2.0/24",
            networkSecurityGroup: { id: id(text, "networkSecurityGroups", "n") },
          },
        ],
        virtualNetworkPeerings: [
          { name: text, remoteVirtualNetwork: { id: id(text, "virtualNetworks", "w") } },
        ],
      },
      {
        name: "w",
        addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
        subnets: [],
      },
    ],
    networkInterfaces: [
      {
        name: "nic",
        networkSecurityGroup: { id: id(text, "networkSecurityGroups", "n") },
        ipConfigurations: [
          {
            name: text,
            privateIPAddress: "10.0.1.4",
            subnet: { id: id(text, "virtualNetworks", "v/subnets/s1") },
            applicationSecurityGroups: [{ id: id(text, "applicationSecurityGroups", "a") }],
          },
        ],
      },
    ],
    environments: [],
  };
}

/** The value with every string's `from` replaced by `to` (a placeholder by a corpus text). */
export function substituted<T>(value: T, from: string, to: string): T {
  if (typeof value === "string") return value.split(from).join(to) as T;
  if (Array.isArray(value)) return value.map((v) => substituted(v, from, to)) as T;
  if (value instanceof Set) return new Set([...value].map((v) => substituted(v, from, to))) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituted(v, from, to)]),
    ) as T;
  return value;
}
