import type { AttributeValue } from './model.ts';

/**
 * The form in which correlation keys are compared: trimmed, Unicode NFC, case-folded.
 * Upper- then lower-casing folds characters whose lower case alone differs (`ß` ↔ `SS`), and the
 * second NFC pass recomposes what case mapping may have decomposed. Empty keys match nothing.
 */
export function normalizeKey(value: string): string {
  return value.normalize('NFC').trim().toUpperCase().toLowerCase().normalize('NFC');
}

/** The correlation keys carried by one attribute value (a multi-valued attribute gives several). */
export function keysOfValue(value: AttributeValue | undefined): string[] {
  if (value === null || value === undefined) return [];
  const values = Array.isArray(value) ? value : [String(value)];
  const keys: string[] = [];
  for (const item of values) {
    const key = normalizeKey(item);
    if (key !== '' && !keys.includes(key)) keys.push(key);
  }
  return keys;
}
