/**
 * The fields a run gives every input of a call by the same object (`system`, `vars`): sent once
 * per batch as shared fields instead of once per record (execute.ts `shared`), so every engine
 * call gets the saving without building its inputs differently.
 */
const sharedNames = ['system', 'vars'] as const;

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function splitShared(inputs: unknown[]): { inputs: unknown[]; shared?: Fields } {
  const [first] = inputs;
  if (inputs.length < 2 || !isFields(first)) return { inputs };
  const names = sharedNames.filter((name) => {
    const value = first[name];
    if (!isFields(value)) return false;
    for (const input of inputs) if (!isFields(input) || input[name] !== value) return false;
    return true;
  });
  if (names.length === 0) return { inputs };
  const shared: Fields = {};
  for (const name of names) shared[name] = first[name];
  const rest = (input: Fields) => {
    const own: Fields = {};
    for (const key of Object.keys(input)) if (!(names as string[]).includes(key)) own[key] = input[key];
    return own;
  };
  return { inputs: inputs.map((input) => rest(input as Fields)), shared };
}
