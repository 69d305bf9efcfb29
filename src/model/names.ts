/** Azure resource names compare case-insensitively: this finds the declared spelling of a name. */
export class NameIndex {
  private readonly byLower = new Map<string, string>();

  constructor(names: Iterable<string>) {
    for (const name of names)
      if (!this.byLower.has(name.toLowerCase())) this.byLower.set(name.toLowerCase(), name);
  }

  /** The declared spelling, or undefined when no resource has that name. */
  resolve(name: string): string | undefined {
    return this.byLower.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.byLower.has(name.toLowerCase());
  }
}
