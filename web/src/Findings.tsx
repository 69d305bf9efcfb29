/**
 * The lint findings, as `tierwall lint` makes them: each with its severity,
 * check, the resource it is about, what it means and what to do; those the
 * spec accepted on review listed apart, with why and until when.
 */
import { useMemo } from "react";
import type { Estate } from "./estate.js";
import type { PageData } from "./source.js";

const ICON = { error: "✗", warning: "⚠", info: "ℹ" } as const;

export function Findings({ estate, data }: { estate: Estate; data: PageData }) {
  const result = useMemo(
    () => estate.findings(data.topology, data.suppressions ?? []),
    [estate, data.topology, data.suppressions],
  );
  const active = result.active.map((g) => g.finding);
  const accepted = result.findings.filter((g) => g.suppressedBy !== undefined);
  const count = (severity: string) => active.filter((d) => d.severity === severity).length;
  return (
    <div className="findings">
      <p>
        {active.length === 0
          ? "✓ No findings."
          : `${count("error")} errors, ${count("warning")} warnings, ${count("info")} notes.`}
      </p>
      {active.length > 0 && (
        <table className="findings-table">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Check</th>
              <th scope="col">Where</th>
              <th scope="col">Finding</th>
            </tr>
          </thead>
          <tbody>
            {active.map((d) => (
              <tr key={`${d.code}:${d.message}`} className={`finding-row ${d.severity}`}>
                <td>
                  <span aria-hidden="true">{ICON[d.severity]}</span> {d.severity}
                </td>
                <td>
                  <code>{d.code}</code>
                </td>
                <td>{result.where(d)}</td>
                <td>
                  {d.message}
                  {d.hint && <p className="muted">{d.hint}</p>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {accepted.length > 0 && (
        <>
          <h2>Accepted on review</h2>
          <ul>
            {accepted.map((g) => (
              <li key={g.fingerprint}>
                <code>{g.finding.code}</code> {result.where(g.finding)}: {g.suppressedBy?.reason}{" "}
                <span className="muted">(until {g.suppressedBy?.expires})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {result.suppressionFindings.length > 0 && (
        <ul>
          {result.suppressionFindings.map((d) => (
            <li key={d.message}>
              <code>{d.code}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
