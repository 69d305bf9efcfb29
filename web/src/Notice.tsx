/** A message said to the user: an error (an alert) or news (a status), with its details and any action. */
import type { ReactNode } from "react";

export interface NoticeText {
  readonly kind: "error" | "info";
  readonly text: string;
  readonly details?: readonly string[];
}

export function Notice({ notice, children }: { notice: NoticeText; children?: ReactNode }) {
  return (
    <div className={`message ${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"}>
      {notice.text}
      {notice.details && notice.details.length > 0 && (
        <ul>
          {notice.details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}
