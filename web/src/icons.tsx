/** Small line icons drawn inline (no icon font, no emoji: they render the same everywhere). */
const common = {
  width: 14,
  height: 14,
  viewBox: "0 0 16 16",
  fill: "none",
  stroke: "currentColor",
  strokeWidth: 1.5,
} as const;

export function GlobeIcon() {
  return (
    <svg {...common} className="icon" aria-hidden="true">
      <circle cx="8" cy="8" r="6.5" />
      <path d="M1.5 8h13M8 1.5c2 2 2 11 0 13M8 1.5c-2 2-2 11 0 13" />
    </svg>
  );
}

export function ShieldIcon() {
  return (
    <svg {...common} className="icon" aria-hidden="true">
      <path d="M8 1.5l5.5 2v4.2c0 3.3-2.4 5.8-5.5 6.8-3.1-1-5.5-3.5-5.5-6.8V3.5z" />
    </svg>
  );
}

export function EntryIcon() {
  return (
    <svg {...common} className="icon" aria-hidden="true">
      <path d="M2 8h9M8 5l3 3-3 3M13.5 2.5v11" />
    </svg>
  );
}
