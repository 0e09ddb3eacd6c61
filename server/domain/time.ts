/** An epoch-milliseconds time as ISO 8601 in UTC, as every API answer and export shows times. */
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
