import * as fs from 'fs';
import * as path from 'path';

import { nullTranslator } from '@jupyterlab/translation';
import { PromiseDelegate } from '@lumino/coreutils';
import type { TopLevelSpec } from 'vega-lite';

import { ChartHost } from '../charts/host';
import type { RenderOptions } from '../charts/render';
import { embedOptions, loadVegaEmbed, renderChart } from '../charts/render';
import { RUN_SELECTION } from '../charts/selection';
import type { ChartTheme } from '../charts/theme';
import { formatTooltip } from '../charts/tooltip';

/**
 * A vega view with what the charts use of it: signals and finalize.
 */
class MockView {
  constructor(readonly signals: string[]) {}

  readonly listeners = new Map<
    string,
    (name: string, value: unknown) => void
  >();
  finalized = false;

  signal(name: string): unknown {
    if (!this.signals.includes(name)) {
      throw new Error(`Unrecognized signal name: "${name}"`);
    }
    return {};
  }

  addSignalListener(
    name: string,
    listener: (name: string, value: unknown) => void
  ): void {
    this.listeners.set(name, listener);
  }

  removeSignalListener(name: string): void {
    this.listeners.delete(name);
  }

  resize(): { runAsync: () => Promise<void> } {
    return { runAsync: async () => undefined };
  }
}

/**
 * The stand-in for vega-embed, which needs a real canvas: counts how often
 * the module is loaded and records each embedding. Jest calls a mock's
 * factory when the module is first required, which is the moment the
 * dynamic `import()` runs.
 */
const mockEmbed = {
  loads: 0,
  calls: [] as {
    node: HTMLElement;
    spec: unknown;
    options: Record<string, unknown>;
    view: MockView;
    finalize: jest.Mock;
  }[],
  signals: [RUN_SELECTION] as string[],
  gate: null as PromiseDelegate<void> | null
};

jest.mock('vega-embed', () => {
  mockEmbed.loads++;
  return {
    __esModule: true,
    default: async (
      node: HTMLElement,
      spec: unknown,
      options: Record<string, unknown>
    ) => {
      node.innerHTML = '';
      const view = new MockView(mockEmbed.signals);
      const finalize = jest.fn(() => {
        view.finalized = true;
      });
      mockEmbed.calls.push({ node, spec, options, view, finalize });
      await mockEmbed.gate?.promise;
      return { view, spec, finalize };
    }
  };
});

const trans = nullTranslator.load('jupyterlab_runs');

const THEME: ChartTheme = {
  foreground: 'black',
  background: 'white',
  border: 'grey',
  fontFamily: 'sans-serif',
  fontSize: 13,
  palette: ['blue', 'orange'],
  isDark: true
};

const SPEC: TopLevelSpec = {
  data: { values: [{ a: 1 }] },
  mark: 'point',
  encoding: { x: { field: 'a', type: 'quantitative' } }
};

const OPTIONS: RenderOptions = { trans, theme: THEME };

describe('charts/render', () => {
  beforeEach(() => {
    mockEmbed.calls = [];
    mockEmbed.signals = [RUN_SELECTION];
    mockEmbed.gate = null;
  });

  describe('loadVegaEmbed()', () => {
    // Runs first: the module registry keeps vega-embed once loaded.
    it('should not load vega-embed until the first chart, and only once', async () => {
      expect(mockEmbed.loads).toBe(0);
      const first = loadVegaEmbed();
      expect(loadVegaEmbed()).toBe(first);
      await renderChart(document.createElement('div'), SPEC, OPTIONS);
      await renderChart(document.createElement('div'), SPEC, OPTIONS);
      expect(mockEmbed.loads).toBe(1);
      expect(mockEmbed.calls).toHaveLength(2);
    });

    it('should be the only way the sources load vega', () => {
      // A value import of a vega package anywhere in the sources would put it
      // in the start-up bundle; type imports are erased.
      const root = path.join(__dirname, '..');
      const offenders: string[] = [];
      const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) {
            if (entry.name !== '__tests__') {
              visit(file);
            }
          } else if (
            /\.tsx?$/.test(entry.name) &&
            !/\.d\.ts$/.test(entry.name)
          ) {
            const source = fs.readFileSync(file, 'utf8');
            if (/^import\s+(?!type\b)[^;]*from\s+'vega[-']/m.test(source)) {
              offenders.push(path.relative(root, file));
            }
          }
        }
      };
      visit(root);
      expect(offenders).toEqual([]);
    });
  });

  describe('renderChart()', () => {
    it('should embed with export-only actions, canvas, the theme and our tooltip', async () => {
      const node = document.createElement('div');
      await renderChart(node, SPEC, OPTIONS);
      const [call] = mockEmbed.calls;
      expect(call.node).toBe(node);
      expect(call.spec).toBe(SPEC);
      expect(call.options).toMatchObject({
        mode: 'vega-lite',
        renderer: 'canvas',
        actions: {
          export: true,
          source: false,
          compiled: false,
          editor: false
        },
        config: { background: 'white' },
        tooltip: { theme: 'dark', formatTooltip }
      });
      expect(JSON.stringify(call.options)).not.toMatch(/html/i);
    });

    it('should finalize the view on dispose, once', async () => {
      const chart = await renderChart(
        document.createElement('div'),
        SPEC,
        OPTIONS
      );
      const [call] = mockEmbed.calls;
      expect(call.finalize).not.toHaveBeenCalled();
      chart.dispose();
      chart.dispose();
      expect(call.finalize).toHaveBeenCalledTimes(1);
      expect(call.view.finalized).toBe(true);
      expect(chart.isDisposed).toBe(true);
    });

    it('should report the selected run and stop on dispose', async () => {
      const selected: (string | null)[] = [];
      const chart = await renderChart(document.createElement('div'), SPEC, {
        ...OPTIONS,
        onRunSelected: id => selected.push(id)
      });
      const { view } = mockEmbed.calls[0];
      const listener = view.listeners.get(RUN_SELECTION);
      listener?.(RUN_SELECTION, { runId: ['r1'] });
      listener?.(RUN_SELECTION, {});
      expect(selected).toEqual(['r1', null]);
      chart.dispose();
      expect(view.listeners.size).toBe(0);
    });

    it('should not listen for a selection the chart does not have', async () => {
      mockEmbed.signals = [];
      await renderChart(document.createElement('div'), SPEC, {
        ...OPTIONS,
        onRunSelected: () => undefined
      });
      expect(mockEmbed.calls[0].view.listeners.size).toBe(0);
    });
  });

  describe('embedOptions()', () => {
    it('should translate the actions and default to canvas', () => {
      const options = embedOptions(THEME, { trans });
      expect(options.renderer).toBe('canvas');
      expect(options.i18n).toEqual({
        CLICK_TO_VIEW_ACTIONS: 'Click to view actions',
        PNG_ACTION: 'Save as PNG',
        SVG_ACTION: 'Save as SVG'
      });
      expect(embedOptions(THEME, { trans, renderer: 'svg' }).renderer).toBe(
        'svg'
      );
    });
  });
});

describe('ChartHost', () => {
  beforeEach(() => {
    mockEmbed.calls = [];
    mockEmbed.signals = [RUN_SELECTION];
    mockEmbed.gate = null;
  });

  describe('#render()', () => {
    it('should replace the chart, finalizing the previous one', async () => {
      const host = new ChartHost(document.createElement('div'), OPTIONS);
      await host.render(SPEC);
      const first = mockEmbed.calls[0];
      await host.render(SPEC);
      expect(first.finalize).toHaveBeenCalledTimes(1);
      expect(host.chart?.view).toBe(mockEmbed.calls[1].view);
      host.dispose();
    });

    it('should draw one spec at a time, the latest last', async () => {
      const host = new ChartHost(document.createElement('div'), OPTIONS);
      mockEmbed.gate = new PromiseDelegate<void>();
      const a = host.render({ ...SPEC, description: 'a' });
      const b = host.render({ ...SPEC, description: 'b' });
      const c = host.render({ ...SPEC, description: 'c' });
      await Promise.resolve();
      mockEmbed.gate.resolve();
      await Promise.all([a, b, c]);
      const drawn = mockEmbed.calls.map(
        call => (call.spec as { description: string }).description
      );
      // b was superseded by c before its turn came.
      expect(drawn).toEqual(['a', 'c']);
      expect(mockEmbed.calls[0].finalize).toHaveBeenCalled();
      expect(host.chart?.view).toBe(mockEmbed.calls[1].view);
      host.dispose();
    });

    it('should finalize a chart that finishes after dispose', async () => {
      const host = new ChartHost(document.createElement('div'), OPTIONS);
      mockEmbed.gate = new PromiseDelegate<void>();
      const drawing = host.render(SPEC);
      await new Promise(resolve => setTimeout(resolve, 0));
      host.dispose();
      mockEmbed.gate.resolve();
      await drawing;
      expect(mockEmbed.calls[0].finalize).toHaveBeenCalledTimes(1);
      expect(host.chart).toBeNull();
    });
  });

  describe('#refresh()', () => {
    it('should draw the last spec again with the theme read anew', async () => {
      const host = new ChartHost(document.createElement('div'), {
        trans
      });
      await host.render(SPEC);
      document.body.style.setProperty('--jp-layout-color0', '#111');
      await host.refresh();
      expect(mockEmbed.calls).toHaveLength(2);
      expect(mockEmbed.calls[1].spec).toBe(SPEC);
      expect(mockEmbed.calls[1].options).toMatchObject({
        config: { background: '#111' }
      });
      document.body.removeAttribute('style');
      host.dispose();
    });
  });
});
