/**
 * How a metric changed from a base run to another: the signed difference and,
 * when the base is not zero, the same relative to the base, as the re-run
 * verdict says it (`+0.0123 (+3.4%)`).
 */
export function changeText(base: number, value: number): string {
  const difference = value - base;
  if (difference === 0) {
    return '0';
  }
  const relative =
    base === 0
      ? ''
      : ` (${signed(Number(((difference / Math.abs(base)) * 100).toPrecision(3)))}%)`;
  return `${signed(difference)}${relative}`;
}

function signed(value: number): string {
  const text = String(Number(value.toPrecision(4)));
  return value > 0 ? `+${text}` : text;
}

/**
 * Runs in the order they started, oldest first (ties by id, which sorts by
 * time too): the first is the base the others are read against, so that
 * compare says `seed 69 → 42` as the sidebar does.
 */
export function inTimeOrder<T extends { startedAt: number; id: string }>(
  runs: readonly T[]
): T[] {
  return [...runs].sort(
    (a, b) =>
      a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
