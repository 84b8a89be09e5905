import { PolicyError, type PolicyErrorInfo } from '../core/policy-port.ts';
import type { Diagnostic } from '../db/schema/policies.ts';

/** `file:line:col: error [type TS2322]: message`, continuation lines indented. */
export function formatDiagnostic(d: Diagnostic, fallbackFile: string): string {
  const tags = [d.kind, d.code].filter(Boolean).join(' ');
  const [first, ...rest] = d.message.split('\n');
  const head = `${d.file ?? fallbackFile}:${d.line}:${d.column}: ${d.severity}${tags ? ` [${tags}]` : ''}: ${first}`;
  return [head, ...rest.map((line) => `    ${line}`)].join('\n');
}

/** The PolicyError message (path:line:col: kind error: message), then the policy's own frames. */
export function formatPolicyError(info: PolicyErrorInfo): string {
  const message = new PolicyError(info).message;
  return info.stack ? `${message}\n${info.stack}` : message;
}
