/**
 * How one event reads in a spreadsheet or a mail: attribute changes as `name: before → after`,
 * errors with the policy's `file:line`. Shared by the CSV report, events.csv and the HTML report.
 */
type Diff = Record<string, { before: unknown; after: unknown }>;
type EventError = { code: string; message: string; policy?: unknown } | null;

/** A value as a person reads it: text as is, lists comma-separated, nothing as `(empty)`. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function diffLines(diff: Diff | null): string[] {
  if (!diff) return [];
  return Object.entries(diff).map(
    ([name, change]) => `${name}: ${showValue(change.before)} → ${showValue(change.after)}`,
  );
}

/** `file:line` (or `file:line:column`) of a policy error's info, when it has one. */
export function policyLocation(info: unknown): string | null {
  if (!info || typeof info !== 'object') return null;
  const { policy, path, line, column } = info as {
    policy?: unknown;
    path?: unknown;
    line?: unknown;
    column?: unknown;
  };
  const file = typeof policy === 'string' ? policy : typeof path === 'string' ? path : null;
  if (!file) return null;
  if (typeof line !== 'number') return file;
  return typeof column === 'number' && column > 0 ? `${file}:${line}:${column}` : `${file}:${line}`;
}

export function errorText(error: EventError): string {
  if (!error) return '';
  const where = policyLocation(error.policy);
  return where && !error.message.includes(where) ? `${error.message} (${where})` : error.message;
}
