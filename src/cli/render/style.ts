import { inspect } from "node:util";

type Format = "red" | "green" | "yellow" | "cyan" | "dim" | "bold";

/**
 * What stands for the terminal's escape (ESC [) in a styled text until
 * `asTerminalStyles` writes it: characters for private use, drawn at random
 * when the command starts. The text around styles is the user's, and its own
 * escapes are made visible before styles become escapes (see terminal.ts): no
 * file or name can hold this mark, so none can pass for tierwall's colours.
 */
const MARK = String.fromCharCode(
  ...crypto.getRandomValues(new Uint16Array(8)).map((n) => 0xe000 + (n % 0x1900)),
);
const STYLE_CODES = new RegExp(`${MARK}\\d+m`, "g");

/** A styled text as the terminal reads it. */
export const asTerminalStyles = (text: string): string => text.replaceAll(MARK, "\u001b[");

/** A styled text without its styles: what the terminal shows of it. */
export const unstyled = (text: string): string => text.replace(STYLE_CODES, "");

/** Colours for a terminal; plain text when piped, when NO_COLOR is set, or when asked. */
export class Style {
  constructor(readonly enabled: boolean) {}

  static forStream(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return new Style(false);
    if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return new Style(true);
    return new Style(stream.isTTY === true);
  }

  private paint(format: Format, text: string): string {
    if (!this.enabled) return text;
    const [open, close] = inspect.colors[format] as [number, number];
    return `${MARK}${open}m${text}${MARK}${close}m`;
  }

  red = (t: string) => this.paint("red", t);
  green = (t: string) => this.paint("green", t);
  yellow = (t: string) => this.paint("yellow", t);
  cyan = (t: string) => this.paint("cyan", t);
  dim = (t: string) => this.paint("dim", t);
  bold = (t: string) => this.paint("bold", t);

  access = (access: string) => (access === "Allow" ? this.green(access) : this.red(access));
}
