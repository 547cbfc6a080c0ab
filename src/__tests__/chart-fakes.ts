/**
 * vega cannot draw in jsdom: tests of views with charts put this host in
 * place of `ChartHost` (its own tests and Chromium check real drawing), and
 * look at what the views asked it to draw.
 *
 *     jest.mock('../charts/host', () => ({
 *       ChartHost: jest.requireActual('./chart-fakes').FakeChartHost
 *     }));
 */
export type DrawnChart = {
  readonly spec: unknown;
  /** What a click on a run does, for charts with a run selection. */
  readonly select?: (runId: string | null) => void;
};

/**
 * Every chart drawn since the test emptied it.
 */
export const drawnCharts: DrawnChart[] = [];

export class FakeChartHost {
  constructor(
    _node: HTMLElement,
    options: { onRunSelected?: (runId: string | null) => void }
  ) {
    this._select = options.onRunSelected;
  }

  render(spec: unknown): Promise<void> {
    drawnCharts.push({ spec, select: this._select });
    return Promise.resolve();
  }

  dispose(): void {
    // Nothing was drawn, so nothing to finalize.
  }

  private readonly _select?: (runId: string | null) => void;
}
