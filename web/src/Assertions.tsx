/** The estate's assertions, each with its outcome proven in the browser. */
import { useMemo } from "react";
import { type Estate, normalizedAssertions } from "./estate.js";

export function Assertions({
  estate,
  assertions,
}: {
  estate: Estate;
  assertions: readonly unknown[];
}) {
  const outcomes = useMemo(
    () => estate.outcomes(normalizedAssertions(assertions)),
    [estate, assertions],
  );
  if (outcomes.length === 0)
    return (
      <p>
        No assertions: a spec's <code>assertions</code> (or the workspace's) are checked here.
      </p>
    );
  const failed = outcomes.filter((o) => o.status !== "held").length;
  return (
    <div className="assertions">
      <p>
        {failed === 0 ? "✓ All" : `✗ ${failed} of`} {outcomes.length} assertions{" "}
        {failed === 0 ? "hold" : "do not hold"}.
      </p>
      <ul>
        {outcomes.map((o) => (
          <li key={o.name} className={o.status}>
            <span aria-hidden="true">{o.status === "held" ? "✓" : "✗"}</span>{" "}
            <strong>{o.status}</strong> {o.name}
            {o.why && <p className="muted">{o.why}</p>}
          </li>
        ))}
      </ul>
    </div>
  );
}
