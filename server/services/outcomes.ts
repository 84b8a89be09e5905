/**
 * Outcomes every service shares. A service answers with a tagged union (docs/conventions.md item 2);
 * the surface that called it (HTTP, CLI, console, scheduler) maps each tag in one exhaustive switch.
 */

/** Input that passed the surface's shape check but breaks a rule of the use case. */
export type Invalid = { outcome: 'invalid'; path: string; message: string };

/** The object named does not exist (or is not visible to the caller). */
export type NotFound = { outcome: 'not_found' };

export const invalid = (path: string, message: string): Invalid => ({ outcome: 'invalid', path, message });

/** For the `default` branch of an exhaustive switch: a new outcome fails to compile until handled. */
export function unhandled(value: never): never {
  throw new Error(`unhandled outcome ${JSON.stringify(value)}`);
}
