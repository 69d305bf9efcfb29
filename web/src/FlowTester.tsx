/**
 * The flow tester: a source and a destination (an environment, a tag, an
 * address), a protocol and a port; the verdict and its trace through every
 * NSG, computed as you type.
 */
import { useEffect, useMemo, useState } from "react";
import type { Estate } from "./estate.js";
import { INTERNET } from "./estate.js";
import type { Selection } from "./Workbench.js";
import { Verdict } from "./Workbench.js";

export function FlowTester({
  estate,
  onResult,
  showRules,
}: {
  estate: Estate;
  onResult: (s: Selection | undefined) => void;
  showRules: () => void;
}) {
  const envs = estate.environments;
  const [from, setFrom] = useState(envs[0] ?? INTERNET);
  const [to, setTo] = useState(envs.at(-1) ?? "");
  const [protocol, setProtocol] = useState("Tcp");
  const [port, setPort] = useState("443");
  const answer = useMemo(
    () => (from.trim() && to.trim() ? estate.flow({ from, to, protocol, port }) : undefined),
    [estate, from, to, protocol, port],
  );
  const label = `${from} → ${to} ${protocol}${protocol === "Tcp" || protocol === "Udp" ? `:${port}` : ""}`;
  // The flow tested is the flow selected: the rules view highlights what decides it.
  useEffect(() => {
    if (answer?.ok) onResult({ label, flow: answer.result });
  }, [answer, label, onResult]);
  const suggestions = [...envs, INTERNET, "VirtualNetwork", "AzureLoadBalancer"];
  return (
    <div className="flow-tester">
      <form className="flow-form" onSubmit={(e) => e.preventDefault()} aria-label="Flow to test">
        <datalist id="endpoints">
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <label>
          Source
          <input
            list="endpoints"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            name="from"
          />
        </label>
        <label>
          Destination
          <input list="endpoints" value={to} onChange={(e) => setTo(e.target.value)} name="to" />
        </label>
        <label>
          Protocol
          <select value={protocol} onChange={(e) => setProtocol(e.target.value)} name="protocol">
            {["Tcp", "Udp", "Icmp", "Esp", "Ah"].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Port
          <input
            value={port}
            onChange={(e) => setPort(e.target.value)}
            inputMode="numeric"
            size={6}
            name="port"
            disabled={protocol !== "Tcp" && protocol !== "Udp"}
          />
        </label>
      </form>
      <section className="flow-result" aria-live="polite" aria-label="Verdict">
        {!answer ? null : !answer.ok ? (
          <p role="alert" className="message error">
            {answer.message}
          </p>
        ) : (
          <>
            <p className="big-verdict">
              <Verdict access={answer.result.access} />{" "}
              {answer.result.rule && (
                <>
                  by <code data-testid="deciding-rule">{answer.result.rule}</code>
                  {answer.result.nsg ? ` of ${answer.result.nsg}` : ""}
                </>
              )}
            </p>
            <p>{answer.result.reason}</p>
            <p className="muted">{answer.result.routeReason}</p>
            {answer.result.trace.length > 0 && (
              <table className="trace">
                <caption>Every NSG the packet meets, in order</caption>
                <thead>
                  <tr>
                    <th scope="col">NSG</th>
                    <th scope="col">Applied to</th>
                    <th scope="col">Direction</th>
                    <th scope="col">Packet</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Verdict</th>
                  </tr>
                </thead>
                <tbody>
                  {answer.result.trace.map((t) => (
                    <tr key={`${t.nsg}/${t.direction}/${t.rule}`}>
                      <td>{t.nsg}</td>
                      <td>
                        {t.appliedTo.type === "subnet" ? "subnet" : "interface"} {t.appliedTo.name}
                      </td>
                      <td>{t.direction}</td>
                      <td className="mono">{t.packet}</td>
                      <td>
                        <code>{t.rule}</code> ({t.priority})
                      </td>
                      <td>
                        <Verdict access={t.access} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <button type="button" onClick={showRules}>
              Show it in the rules
            </button>
          </>
        )}
      </section>
    </div>
  );
}
