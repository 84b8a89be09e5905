/** A submitted form: every field as text, repeated names kept in order. */
export class FormFields {
  readonly #values: Map<string, string[]>;
  constructor(values: Map<string, string[]>) {
    this.#values = values;
  }
  /** The field's (last) value trimmed, or undefined when absent or blank. */
  text(name: string): string | undefined {
    const value = this.#values.get(name)?.at(-1)?.trim();
    return value === undefined || value === '' ? undefined : value;
  }
  /** The field's value exactly as sent (a policy source keeps its whitespace). */
  raw(name: string): string | undefined {
    return this.#values.get(name)?.at(-1);
  }
  all(name: string): string[] {
    return this.#values.get(name) ?? [];
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
  names(): string[] {
    return [...this.#values.keys()];
  }
}
