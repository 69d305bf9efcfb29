/**
 * Each NSG's rules as the portal shows them (priority, name, port, protocol,
 * source, destination, action), the default rules visibly apart, the rules
 * that decide the selected flow highlighted, lint findings as badges with
 * their explanation; and, on a server, the editor: add, change, reorder and
 * delete rules, preview the semantic diff of the edit, and save it through
 * the API (its validation errors shown on the field, etag conflicts as such).
 */
import { useMemo, useState } from "react";
import { DEFAULT_SECURITY_RULES } from "../../src/model/default-rules.js";
import type { Diagnostic } from "../../src/model/diagnostic.js";
import type { SecurityRule, Topology } from "../../src/model/types.js";
import {
  buildEstate,
  type DiffJson,
  diffOf,
  Estate,
  normalizedAssertions,
  summaryText,
} from "./estate.js";
import { Notice, type NoticeText } from "./Notice.js";
import {
  addressesOf,
  formOf,
  fromArm,
  portsOf,
  type RuleForm,
  ruleOf,
  toArm,
} from "./rule-fields.js";
import { ApiError, type PageData } from "./source.js";
import type { Selection, ServerContext } from "./Workbench.js";

const NSG_TYPE = "microsoft.network/networksecuritygroups";
const DIRECTIONS = ["Inbound", "Outbound"] as const;

interface Draft {
  readonly nsgId: string;
  readonly etag: string;
  readonly body: Record<string, unknown>;
  /** The rules as edited, each with a key of its own for as long as the edit lasts. */
  readonly rules: readonly DraftRule[];
}

interface DraftRule {
  readonly key: number;
  readonly rule: SecurityRule;
}

let nextKey = 1;
const keyed = (rule: SecurityRule): DraftRule => ({ key: nextKey++, rule });

/** Where the server said a field is wrong: rule index and field, from `properties.securityRules[i].properties.f`. */
function fieldOf(target: string | undefined): { index: number; field: string } | undefined {
  const m = /securityRules\[(\d+)\](?:\.properties)?\.?(\w*)/.exec(target ?? "");
  return m ? { index: Number(m[1]), field: m[2] ?? "" } : undefined;
}

const FORM_FIELD: Record<string, keyof RuleForm> = {
  name: "name",
  priority: "priority",
  direction: "direction",
  access: "access",
  protocol: "protocol",
  sourceAddressPrefix: "source",
  sourceAddressPrefixes: "source",
  sourcePortRange: "sourcePorts",
  sourcePortRanges: "sourcePorts",
  destinationAddressPrefix: "destination",
  destinationAddressPrefixes: "destination",
  destinationPortRange: "destinationPorts",
  destinationPortRanges: "destinationPorts",
  description: "description",
};

export function Rules({
  estate,
  data,
  selection,
  server,
}: {
  estate: Estate;
  data: PageData;
  selection?: Selection;
  server?: ServerContext;
}) {
  const nsgs = data.topology.networkSecurityGroups;
  const decidedNsg = selection?.flow.trace.find((t) => t.rule === selection.flow.rule)?.nsg;
  const [chosen, setChosen] = useState<string | undefined>(decidedNsg);
  const name = chosen ?? decidedNsg ?? nsgs[0]?.name;
  const nsg = nsgs.find((n) => n.name === name);
  const [draft, setDraft] = useState<Draft>();
  const [message, setMessage] = useState<NoticeText>();
  const [fieldErrors, setFieldErrors] = useState<Map<number, Map<string, string>>>(new Map());
  const [preview, setPreview] = useState<Preview>();
  const [busy, setBusy] = useState(false);
  /** The assertions the server said the edit breaks, which an admin may accept. */
  const [refused, setRefused] = useState<string[]>();
  const findings = useMemo(() => estate.lint(), [estate]);
  const info = name ? estate.network.nsgs.get(name) : undefined;
  const findingsOf = (rule: string) => {
    const path = info?.rulePaths.get(rule);
    if (!path) return [];
    const key = JSON.stringify(path);
    return findings.filter((d) => JSON.stringify(d.path) === key);
  };
  const appliedTo = [
    ...estate.network.subnets
      .filter((s) => s.nsg === name)
      .map((s) => `subnet ${s.vnet}/${s.name}`),
    ...[...estate.network.nics.values()]
      .filter((n) => n.nsg === name)
      .map((n) => `interface ${n.name}`),
  ];
  const decides = (rule: string, direction: string, isDefault: boolean) =>
    selection?.flow.trace.some(
      (t) =>
        t.nsg === name &&
        t.direction === direction &&
        t.rule === `${isDefault ? "defaultSecurityRules" : "securityRules"}/${rule}`,
    ) ?? false;

  /** A rule's hits in the replayed logs: undefined without logs, 0 for a rule no flow met. */
  const hitsOf = (rule: string, direction: string, isDefault: boolean) =>
    data.ruleHits === undefined
      ? undefined
      : (data.ruleHits.find(
          (h) =>
            h.nsg === name &&
            h.direction === direction &&
            h.rule === rule &&
            h.isDefault === isDefault,
        )?.flows ?? 0);
  const withHits = data.ruleHits !== undefined && !draft;

  const resourceId = server
    ? data.resources.find((r) => r.type.toLowerCase() === NSG_TYPE && r.name === name)?.id
    : undefined;

  const startEditing = async () => {
    if (!server || !resourceId) return;
    setBusy(true);
    try {
      const { body, etag } = await server.api.call<Record<string, unknown>>("GET", resourceId);
      const properties = (body.properties ?? {}) as {
        securityRules?: { name?: string; properties?: Record<string, unknown> }[];
      };
      setDraft({
        nsgId: resourceId,
        etag: etag ?? "",
        body,
        rules: (properties.securityRules ?? []).map((r) => keyed(fromArm(r))),
      });
      setMessage(undefined);
      setPreview(undefined);
      setFieldErrors(new Map());
    } catch (e) {
      setMessage({ kind: "error", text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  const change = (rules: readonly DraftRule[]) => {
    if (!draft) return;
    setDraft({ ...draft, rules });
    setPreview(undefined);
  };

  const previewDraft = () => {
    if (!draft || !name) return;
    const topology: Topology = {
      ...data.topology,
      networkSecurityGroups: nsgs.map((n) =>
        n.name === name ? { ...n, securityRules: draft.rules.map((d) => d.rule) } : n,
      ),
    };
    const after = buildEstate(topology, data.serviceTags);
    if (!after.network) {
      setPreview({ errors: after.diagnostics.filter((d) => d.severity === "error") });
      return;
    }
    const assertions = normalizedAssertions(data.assertions);
    const before = estate.outcomes(assertions);
    const broken = new Estate(after.network, data.tiers, assertions)
      .outcomes(assertions)
      .filter((o, i) => o.status !== "held" && before[i]?.status === "held")
      .map((o) => `${o.name}: ${o.why ?? ""}`);
    setPreview({ diff: diffOf(estate.network, after.network), broken });
  };

  const save = async (accept?: readonly string[]) => {
    if (!server || !draft) return;
    setBusy(true);
    setFieldErrors(new Map());
    setRefused(undefined);
    // The header is a comma-separated list: a name with a comma in it is accepted by `*`.
    const acceptHeader = accept && (accept.some((n) => n.includes(",")) ? "*" : accept.join(","));
    try {
      const properties = {
        ...(draft.body.properties as Record<string, unknown>),
        securityRules: draft.rules.map((d) => toArm(d.rule)),
      };
      await server.api.call("PUT", draft.nsgId, {
        body: {
          location: draft.body.location,
          ...(draft.body.tags ? { tags: draft.body.tags } : {}),
          properties,
        },
        headers: {
          "if-match": draft.etag,
          ...(acceptHeader ? { "x-tierwall-accept-break": acceptHeader } : {}),
        },
      });
      setDraft(undefined);
      setPreview(undefined);
      setMessage({ kind: "info", text: `Saved ${name}.` });
      await server.reload();
    } catch (e) {
      if (!(e instanceof ApiError)) {
        setMessage({ kind: "error", text: String(e) });
        return;
      }
      if (e.status === 409 && e.code === "AssertionViolated") {
        setRefused(e.details.map((d) => d.target ?? "").filter((t) => t !== ""));
        setMessage({
          kind: "error",
          text: "Not saved: the edit breaks assertions of the workspace.",
          details: e.details.map((d) => d.message ?? ""),
        });
      } else if (e.status === 412)
        setMessage({
          kind: "error",
          text: `Someone changed ${name} since you began editing (etag conflict). Reload to see their change, then edit again.`,
        });
      else {
        const byRule = new Map<number, Map<string, string>>();
        for (const d of e.details) {
          const at = fieldOf(d.target);
          if (!at) continue;
          const fields = byRule.get(at.index) ?? new Map<string, string>();
          fields.set(FORM_FIELD[at.field] ?? "name", d.message ?? e.message);
          byRule.set(at.index, fields);
        }
        setFieldErrors(byRule);
        setMessage({
          kind: "error",
          text: `${e.code}: ${e.message}`,
          details: e.details.map((d) => d.message ?? "").filter((t) => t !== "" && t !== e.message),
        });
      }
    } finally {
      setBusy(false);
    }
  };

  if (!nsg || !name) return <p>No network security group in this estate.</p>;
  const rules: readonly DraftRule[] = draft
    ? draft.rules
    : nsg.securityRules.map((rule, key) => ({ key, rule }));
  return (
    <div className="rules">
      <div className="rules-head">
        <label>
          Network security group{" "}
          <select
            value={name}
            disabled={draft !== undefined}
            onChange={(e) => {
              setChosen(e.target.value);
              setMessage(undefined);
            }}
          >
            {nsgs.map((n) => (
              <option key={n.name}>{n.name}</option>
            ))}
          </select>
        </label>
        <span className="muted">
          applied to {appliedTo.length > 0 ? appliedTo.join(", ") : "nothing"}
        </span>
        {server && resourceId && !draft && (
          <button type="button" onClick={startEditing} disabled={busy}>
            Edit rules
          </button>
        )}
      </div>
      {message && (
        <Notice notice={message}>
          {refused && refused.length > 0 && draft && (
            <button type="button" onClick={() => save(refused)} disabled={busy}>
              Save anyway, accepting{" "}
              {refused.length === 1 ? "this break" : `these ${refused.length} breaks`} (admin)
            </button>
          )}
        </Notice>
      )}
      {DIRECTIONS.map((direction) => {
        const custom = rules
          .map(({ rule, key }, index) => ({ rule, key, index }))
          .filter(({ rule }) => rule.direction.toLowerCase() === direction.toLowerCase())
          .sort((a, b) => a.rule.priority - b.rule.priority);
        const defaults = DEFAULT_SECURITY_RULES.filter((r) => r.direction === direction);
        return (
          <section key={direction}>
            <h2>{direction} security rules</h2>
            <table className="rule-table" aria-label={`${name} ${direction.toLowerCase()} rules`}>
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Name</th>
                  <th scope="col">Port</th>
                  <th scope="col">Protocol</th>
                  <th scope="col">Source</th>
                  <th scope="col">Destination</th>
                  <th scope="col">Action</th>
                  {withHits && (
                    <th
                      scope="col"
                      title={`flows each rule decided in ${data.logs?.join(", ") ?? "the logs"}`}
                    >
                      Hits
                    </th>
                  )}
                  <th scope="col">Findings</th>
                  {draft && <th scope="col">Edit</th>}
                </tr>
              </thead>
              <tbody>
                {custom.map(({ rule, key, index }, order) =>
                  draft ? (
                    <EditableRow
                      key={key}
                      rule={rule}
                      errors={fieldErrors.get(index)}
                      onChange={(r) =>
                        change(rules.map((x) => (x.key === key ? { key, rule: r } : x)))
                      }
                      onDelete={() => change(rules.filter((x) => x.key !== key))}
                      onMove={(step) => {
                        const other = custom[order + step];
                        if (!other) return;
                        // Moving a rule trades its priority with its neighbour's (both rows made anew).
                        change(
                          rules.map((x) =>
                            x.key === key
                              ? keyed({ ...x.rule, priority: other.rule.priority })
                              : x.key === other.key
                                ? keyed({ ...x.rule, priority: rule.priority })
                                : x,
                          ),
                        );
                      }}
                    />
                  ) : (
                    <RuleRow
                      key={rule.name}
                      rule={rule}
                      isDefault={false}
                      decides={decides(rule.name, direction, false)}
                      findings={findingsOf(rule.name)}
                      hits={withHits ? hitsOf(rule.name, direction, false) : undefined}
                    />
                  ),
                )}
                {defaults.map((rule) => (
                  <RuleRow
                    key={rule.name}
                    rule={rule}
                    isDefault
                    decides={decides(rule.name, direction, true)}
                    findings={[]}
                    hits={withHits ? hitsOf(rule.name, direction, true) : undefined}
                    editing={draft !== undefined}
                  />
                ))}
              </tbody>
            </table>
            {draft && (
              <button
                type="button"
                onClick={() => {
                  const top = Math.max(99, ...custom.map((c) => c.rule.priority));
                  change([
                    ...rules,
                    keyed({
                      name: `new-rule-${rules.length + 1}`,
                      protocol: "Tcp",
                      access: "Allow",
                      priority: Math.min(4096, Math.ceil((top + 1) / 10) * 10),
                      direction,
                      sourceAddressPrefix: "*",
                      sourcePortRange: "*",
                      destinationAddressPrefix: "*",
                      destinationPortRange: "443",
                    }),
                  ]);
                }}
              >
                Add an {direction.toLowerCase()} rule
              </button>
            )}
          </section>
        );
      })}
      {draft && (
        <div className="edit-actions">
          <button type="button" onClick={previewDraft}>
            Preview the difference
          </button>
          <button type="button" onClick={() => save()} disabled={busy} className="primary">
            Save
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(undefined);
              setPreview(undefined);
              setMessage(undefined);
              setFieldErrors(new Map());
              setRefused(undefined);
            }}
          >
            Discard the edit
          </button>
        </div>
      )}
      {preview && <DiffPreview preview={preview} />}
    </div>
  );
}

function RuleRow({
  rule,
  isDefault,
  decides,
  findings,
  editing,
  hits,
}: {
  rule: SecurityRule;
  isDefault: boolean;
  decides: boolean;
  findings: readonly Diagnostic[];
  editing?: boolean;
  hits?: number | undefined;
}) {
  return (
    <tr
      className={`${isDefault ? "default-rule" : ""} ${decides ? "decides" : ""}`}
      data-rule={rule.name}
      aria-current={decides ? "true" : undefined}
    >
      <td>{rule.priority}</td>
      <td>
        {decides && (
          <span className="decides-mark" title="decides the selected flow">
            ▶<span className="sr-only"> decides the selected flow:</span>{" "}
          </span>
        )}
        {rule.name}
        {isDefault && <span className="tag">default</span>}
      </td>
      <td>{portsOf(rule, "destination")}</td>
      <td>{rule.protocol === "*" ? "Any" : rule.protocol}</td>
      <td>{addressesOf(rule, "source")}</td>
      <td>{addressesOf(rule, "destination")}</td>
      <td>
        <span className={`verdict ${rule.access === "Allow" ? "allow" : "deny"}`}>
          <span aria-hidden="true">{rule.access === "Allow" ? "✓" : "✗"}</span> {rule.access}
        </span>
      </td>
      {hits !== undefined && (
        <td className={`hits ${hits === 0 ? "unused" : ""}`} data-hits={hits}>
          {hits.toLocaleString("en")}
          {hits === 0 && !isDefault && <span className="muted"> unused</span>}
        </td>
      )}
      <td>
        {findings.map((f) => (
          <details key={`${f.code}:${f.message}`} className={`finding ${f.severity}`}>
            <summary>
              <span aria-hidden="true">⚠</span> {f.code}
            </summary>
            <p>{f.message}</p>
            {f.hint && <p className="muted">{f.hint}</p>}
          </details>
        ))}
      </td>
      {editing && <td className="muted">fixed</td>}
    </tr>
  );
}

function EditableRow({
  rule,
  errors,
  onChange,
  onDelete,
  onMove,
}: {
  rule: SecurityRule;
  errors: ReadonlyMap<string, string> | undefined;
  onChange: (rule: SecurityRule) => void;
  onDelete: () => void;
  onMove: (step: -1 | 1) => void;
}) {
  const [form, setForm] = useState<RuleForm>(() => formOf(rule));
  const set = (field: keyof RuleForm, value: string) => {
    const next = { ...form, [field]: value };
    setForm(next);
    onChange(ruleOf(next, rule));
  };
  const input = (field: keyof RuleForm, label: string, size = 10) => {
    const error = errors?.get(field);
    return (
      <>
        <input
          aria-label={`${label} of ${form.name}`}
          value={form[field]}
          size={size}
          aria-invalid={error ? true : undefined}
          onChange={(e) => set(field, e.target.value)}
        />
        {error && (
          <span className="field-error" role="alert">
            {error}
          </span>
        )}
      </>
    );
  };
  const choice = (field: keyof RuleForm, label: string, options: readonly string[]) => (
    <select
      aria-label={`${label} of ${form.name}`}
      value={form[field]}
      onChange={(e) => set(field, e.target.value)}
    >
      {options.map((o) => (
        <option key={o}>{o}</option>
      ))}
    </select>
  );
  return (
    <tr className="editing" data-rule={rule.name}>
      <td>{input("priority", "Priority", 5)}</td>
      <td>{input("name", "Name", 18)}</td>
      <td>{input("destinationPorts", "Destination ports", 8)}</td>
      <td>{choice("protocol", "Protocol", ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"])}</td>
      <td>{input("source", "Source", 16)}</td>
      <td>{input("destination", "Destination", 12)}</td>
      <td>{choice("access", "Action", ["Allow", "Deny"])}</td>
      <td />
      <td className="row-actions">
        <button type="button" aria-label={`Move ${form.name} up`} onClick={() => onMove(-1)}>
          ↑
        </button>
        <button type="button" aria-label={`Move ${form.name} down`} onClick={() => onMove(1)}>
          ↓
        </button>
        <button type="button" aria-label={`Delete ${form.name}`} onClick={onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

interface Preview {
  readonly diff?: DiffJson;
  readonly errors?: readonly Diagnostic[];
  /** The workspace's assertions that hold now and would not. */
  readonly broken?: readonly string[];
}

function DiffPreview({ preview }: { preview: Preview }) {
  if (preview.errors)
    return (
      <section className="diff" role="alert">
        <h2>This edit would not make a network Azure accepts</h2>
        <ul>
          {preview.errors.map((d) => (
            <li key={`${d.code}:${d.message}`}>
              <strong>{d.code}</strong> {d.message}
            </li>
          ))}
        </ul>
      </section>
    );
  const diff = preview.diff;
  if (!diff) return null;
  return (
    <section className="diff" aria-live="polite">
      <h2>What the edit changes</h2>
      {preview.broken && preview.broken.length > 0 && (
        <div className="message error">
          <span aria-hidden="true">✗</span> It breaks{" "}
          {preview.broken.length === 1 ? "an assertion" : `${preview.broken.length} assertions`} of
          the workspace:
          <ul>
            {preview.broken.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      )}
      {diff.equivalent ? (
        <p>
          <span aria-hidden="true">＝</span> Nothing: every packet is decided as before.
        </p>
      ) : (
        <ul className="changes">
          {diff.flows.map((c) => (
            <li key={`${c.from}->${c.to}`} data-from={c.from} data-to={c.to}>
              <strong>
                {c.from} → {c.to}
              </strong>
              <ChangeLines change={c} />
            </li>
          ))}
          {diff.nsgs.map((c) => (
            <li key={`${c.nsg}/${c.direction}/${c.vnet}`}>
              <strong>
                {c.nsg} {c.direction.toLowerCase()}
              </strong>{" "}
              <span className="muted">(every packet it decides, in {c.vnet})</span>
              <ChangeLines change={c} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** What a change newly allows and newly denies, as rule-like lines. */
function ChangeLines({ change }: { change: DiffJson["flows"][number] | DiffJson["nsgs"][number] }) {
  return (
    <>
      {change.newlyAllowed.lines.length > 0 && (
        <p className="newly-allowed">
          <span aria-hidden="true">＋</span> newly allowed:{" "}
          <span className="mono">{change.newlyAllowed.lines.map(summaryText).join("; ")}</span>
        </p>
      )}
      {change.newlyDenied.lines.length > 0 && (
        <p className="newly-denied">
          <span aria-hidden="true">−</span> newly denied:{" "}
          <span className="mono">{change.newlyDenied.lines.map(summaryText).join("; ")}</span>
        </p>
      )}
    </>
  );
}
