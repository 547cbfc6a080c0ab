/**
 * The name of the point selection a click makes in the run charts: a view
 * listens to this signal to learn which run was picked.
 */
export const RUN_SELECTION = 'selectedRun';

/**
 * The data field holding a row's run id, in every chart.
 */
export const RUN_ID_FIELD = 'runId';

/**
 * The selection parameter of a chart whose marks are runs: a click selects one
 * run (no shift-click toggling: the views show one run's details), a double
 * click clears it. `nearest` picks the closest mark, which makes small points
 * easy to hit; it is left off for lines, which it does not support.
 */
export function runSelectionParam(nearest: boolean) {
  return {
    name: RUN_SELECTION,
    select: {
      type: 'point' as const,
      fields: [RUN_ID_FIELD],
      on: 'click',
      clear: 'dblclick',
      toggle: false,
      nearest
    }
  };
}

/**
 * An opacity encoding that dims the other runs while one is selected, and
 * shows every run when none is.
 */
export function selectionOpacity(dimmed: number) {
  return {
    condition: { param: RUN_SELECTION, empty: true, value: 1 },
    value: dimmed
  };
}

/**
 * The run id held by the value of the `RUN_SELECTION` signal, or null when no
 * run is selected.
 *
 * Vega resolves a point selection over fields to `{runId: [id]}` (an array per
 * field, since a point selection can hold several values); an empty object
 * means the selection was cleared.
 */
export function selectedRunId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  const ids: unknown = (value as Record<string, unknown>)[RUN_ID_FIELD];
  const id = Array.isArray(ids) ? ids[0] : ids;
  return typeof id === 'string' ? id : null;
}
