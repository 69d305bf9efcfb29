/**
 * The views of one estate, as tabs: the architecture, the rules, the flow
 * tester, the assertions and (served) the history. A flow chosen in one view
 * (an edge's witness, a tested flow) highlights its deciding rules in the
 * rules view.
 */
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";
import type { FlowResult } from "../../src/engine/flow.js";
import { Architecture } from "./Architecture.js";
import { Assertions } from "./Assertions.js";
import { buildEstate, Estate, normalizedAssertions } from "./estate.js";
import { Findings } from "./Findings.js";
import { FlowTester } from "./FlowTester.js";
import { History } from "./History.js";
import { ImportForm } from "./ImportForm.js";
import { Rules } from "./Rules.js";
import type { Api, PageData } from "./source.js";

export interface ServerContext {
  readonly api: Api;
  readonly subscription: string;
  readonly subscriptions: readonly string[];
  readonly choose: (subscription: string) => void;
  readonly reload: () => Promise<void>;
  readonly signOut: () => void;
  /** A file was imported into this subscription: list the subscriptions again, and show it. */
  readonly imported: (subscription: string) => void;
}

/** A flow picked somewhere, whose trace the rules view highlights. */
export interface Selection {
  readonly label: string;
  readonly flow: FlowResult;
}

const TABS = ["Architecture", "Rules", "Flow tester", "Findings", "Assertions", "History"] as const;
type Tab = (typeof TABS)[number];

export function Workbench({ data, server }: { data: PageData; server?: ServerContext }) {
  const built = useMemo(() => buildEstate(data.topology, data.serviceTags), [data]);
  const estate = useMemo(
    () =>
      built.network
        ? new Estate(built.network, data.tiers, normalizedAssertions(data.assertions))
        : undefined,
    [built, data.tiers, data.assertions],
  );
  const [tab, setTab] = useState<Tab>("Architecture");
  useEffect(() => {
    document.title = `tierwall · ${data.title}`;
  }, [data.title]);
  const [selection, setSelection] = useState<Selection>();
  const tabs = TABS.filter((t) => t !== "History" || server);
  const tabRefs = useRef(new Map<Tab, HTMLButtonElement>());

  const onTabKey = (e: KeyboardEvent) => {
    const i = tabs.indexOf(tab);
    const next =
      e.key === "ArrowRight"
        ? tabs[(i + 1) % tabs.length]
        : e.key === "ArrowLeft"
          ? tabs[(i - 1 + tabs.length) % tabs.length]
          : e.key === "Home"
            ? tabs[0]
            : e.key === "End"
              ? tabs[tabs.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    tabRefs.current.get(next)?.focus();
  };

  const select = (s: Selection | undefined, show?: Tab) => {
    setSelection(s);
    if (show) setTab(show);
  };

  return (
    <div className="workbench">
      <header className="top">
        <h1>
          tierwall <span className="title">{data.title}</span>
        </h1>
        {server && server.subscriptions.length > 1 && (
          <label>
            Subscription{" "}
            <select value={server.subscription} onChange={(e) => server.choose(e.target.value)}>
              {server.subscriptions.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        )}
        {data.generatedAt && <span className="muted">made {data.generatedAt}</span>}
        {server && (
          <details className="import">
            <summary>Import a file…</summary>
            <ImportForm
              api={server.api}
              subscription={server.subscription}
              onImported={server.imported}
            />
          </details>
        )}
        {server && (
          <button type="button" onClick={() => server.reload()}>
            Reload
          </button>
        )}
        {server && (
          <button type="button" className="link" onClick={server.signOut}>
            Forget token
          </button>
        )}
      </header>
      {!estate ? (
        <section className="problems" role="alert">
          <h2>This network cannot be evaluated</h2>
          <ul>
            {built.diagnostics
              .filter((d) => d.severity === "error")
              .map((d) => (
                <li key={`${d.code}:${d.message}`}>
                  <strong>{d.code}</strong> {d.message}
                </li>
              ))}
          </ul>
        </section>
      ) : (
        <>
          <div role="tablist" aria-label="Views" className="tabs" onKeyDown={onTabKey}>
            {tabs.map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`tab-${t}`}
                aria-selected={t === tab}
                aria-controls={`panel-${t}`}
                tabIndex={t === tab ? 0 : -1}
                ref={(el) => {
                  if (el) tabRefs.current.set(t, el);
                }}
                onClick={() => setTab(t)}
              >
                {t}
              </button>
            ))}
          </div>
          {selection && (
            <p className="selection">
              Selected flow: <strong>{selection.label}</strong> —{" "}
              <Verdict access={selection.flow.access} /> by{" "}
              <code>{selection.flow.rule ?? "the route"}</code>
              {selection.flow.nsg ? ` of ${selection.flow.nsg}` : ""}{" "}
              <button type="button" className="link" onClick={() => setSelection(undefined)}>
                Clear
              </button>
            </p>
          )}
          <section
            role="tabpanel"
            id={`panel-${tab}`}
            aria-labelledby={`tab-${tab}`}
            className="panel"
          >
            {tab === "Architecture" && (
              <Architecture
                estate={estate}
                onSelect={(s) => select(s)}
                showRules={(s) => select(s, "Rules")}
              />
            )}
            {tab === "Rules" && (
              <Rules estate={estate} data={data} selection={selection} server={server} />
            )}
            {tab === "Flow tester" && (
              <FlowTester
                estate={estate}
                onResult={setSelection}
                showRules={() => setTab("Rules")}
              />
            )}
            {tab === "Findings" && <Findings estate={estate} data={data} />}
            {tab === "Assertions" && <Assertions estate={estate} assertions={data.assertions} />}
            {tab === "History" && server && <History data={data} server={server} />}
          </section>
        </>
      )}
    </div>
  );
}

/** Allow or Deny, with an icon and the word: colour is never the only sign. */
export function Verdict({ access }: { access: string }) {
  const allowed = access === "Allow";
  return (
    <span className={`verdict ${allowed ? "allow" : "deny"}`}>
      <span aria-hidden="true">{allowed ? "✓" : "✗"}</span> {access}
    </span>
  );
}
