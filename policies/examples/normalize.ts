/** Shared by the examples: a relative import is bundled into the policy that uses it. */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/** "  ada  LOVELACE " → "Ada Lovelace" */
export function properName(value: string): string {
  return value
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1).toLowerCase())
    .join(' ');
}
