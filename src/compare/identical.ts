/**
 * Hiding the rows that are the same in every run: most of a comparison of
 * two runs that differ in one seed is twenty equal estimator settings.
 */

/**
 * Up to this many rows every row is shown at first; above it, differences
 * only.
 */
export const SHOW_ALL_UP_TO = 6;

/**
 * Whether a table of `count` rows starts with its differences only.
 */
export function differencesOnlyAtFirst(count: number): boolean {
  return count > SHOW_ALL_UP_TO;
}

/**
 * The rows to show and how many identical ones are hidden: all of them when
 * `differencesOnly` is off, else those `differs` keeps.
 */
export function withoutIdentical<T>(
  rows: readonly T[],
  differs: (row: T) => boolean,
  differencesOnly: boolean
): { readonly shown: readonly T[]; readonly hidden: number } {
  if (!differencesOnly) {
    return { shown: rows, hidden: 0 };
  }
  const shown = rows.filter(differs);
  return { shown, hidden: rows.length - shown.length };
}
