/**
 * A list kept in one text value, as systems of one value per field (a CSV cell, a SQL text column)
 * hold it: its values joined by `;`. The engine reads such text back as the same list when it
 * compares it with one (attribute-sync.ts `sameValue`), so a list written this way converges.
 */
export const listSeparator = ';';

/** The list as one text, or why it cannot be (a value holding the separator would read back split). */
export function listAsText(name: string, values: string[]): { text: string } | { problem: string } {
  const split = values.find((v) => v.includes(listSeparator));
  if (split !== undefined) {
    return {
      problem: `column "${name}" holds a list whose value "${split}" contains "${listSeparator}", the list separator`,
    };
  }
  return { text: values.join(listSeparator) };
}

/** A text's values as a list, in the sense of `listAsText`: trimmed, empty ones dropped. */
export function textAsList(text: string): string[] {
  return text
    .split(listSeparator)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
