/**
 * Change markers. modifyTimestamp and whenChanged are generalized time (`20261122041000Z`, AD adds
 * `.0`); trueup hands ISO 8601 to the engine and back. uSNChanged is a plain counter.
 */
const generalized = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/;
const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/;

export function generalizedToIso(value: string): string | null {
  const m = generalized.exec(value);
  if (!m) return null;
  const fraction = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}Z`;
}

/** The watermark as a filter value; seconds are the directory's resolution, so they round down. */
export function watermarkFilterValue(watermark: string, attribute: string): string {
  if (attribute === 'uSNChanged') {
    if (!/^\d+$/.test(watermark)) throw new Error(`watermark "${watermark}" is not a uSNChanged number`);
    return watermark;
  }
  if (generalized.test(watermark)) return watermark;
  const normal = new Date(watermark);
  if (!iso.test(watermark) && Number.isNaN(normal.getTime())) {
    throw new Error(`watermark "${watermark}" is not a timestamp`);
  }
  const m = iso.exec(normal.toISOString())!;
  return `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}${m[6]}Z`;
}

/** Whichever marks the later change; timestamps as ISO, counters numerically. */
export function laterWatermark(a: string | null, b: string | null, attribute: string): string | null {
  if (a === null) return b;
  if (b === null) return a;
  if (attribute === 'uSNChanged') return BigInt(b) > BigInt(a) ? b : a;
  return b > a ? b : a;
}
