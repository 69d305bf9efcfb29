import type { Io } from "./io.js";

/**
 * Progress of a long analysis on an interactive terminal: one line on stderr,
 * redrawn in place, shown only once the work has taken a second, and wiped
 * when it ends. The analyses are synchronous, so the line is drawn from their
 * progress callbacks, never from a timer. Nothing is written when stderr is
 * not a terminal (piped, redirected, in CI) or the output is JSON or SARIF.
 */
export interface ProgressLine {
  /** What is being done now: `deciding NSGs`, `cells`. */
  phase(label: string): void;
  /** `done` of `total` steps of the current phase. */
  step(done: number, total: number): void;
  /** Wipes the line. */
  end(): void;
}

const NONE: ProgressLine = { phase() {}, step() {}, end() {} };
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Shown after this long, redrawn at most this often. */
const DELAY_MS = 1000;
const EVERY_MS = 80;

export function progressLine(io: Io, machineOutput: boolean): ProgressLine {
  if (machineOutput || !io.interactive) return NONE;
  const started = Date.now();
  let label = "";
  let counts = "";
  let drawn = 0;
  let frame = 0;
  let shown = false;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (now - started < DELAY_MS || (!force && now - drawn < EVERY_MS)) return;
    drawn = now;
    shown = true;
    const seconds = ((now - started) / 1000).toFixed(1);
    io.err(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}${counts} ${seconds} s`);
  };
  return {
    phase(text) {
      label = text;
      counts = "";
      draw(true);
    },
    step(done, total) {
      counts = ` ${done}/${total}`;
      draw(false);
    },
    end() {
      if (shown) io.err("\r\x1b[2K");
    },
  };
}
