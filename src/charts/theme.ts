import type { Config } from 'vega-lite';

/**
 * The JupyterLab theme as a chart needs it, read from the `--jp-*` CSS
 * variables. A variable the theme does not define is an empty string, and the
 * chart keeps vega's default for it.
 */
export type ChartTheme = {
  readonly foreground: string;
  readonly background: string;
  readonly border: string;
  readonly fontFamily: string;
  readonly fontSize: number | null;
  /** Distinct colours for runs, in order. */
  readonly palette: readonly string[];
  /** Whether the theme is dark: the tooltip's own style follows it. */
  readonly isDark: boolean;
  /**
   * The two ends of a continuous colour scale (a line per run coloured by
   * its metric): both legible on the theme's background.
   */
  readonly ramp?: readonly string[];
};

/**
 * The ends of the continuous colour scale, per theme. vega's default
 * (`blues`) fades to near white at one end, invisible on a light page, and
 * to navy at the other, invisible on a dark one. An orange and a blue of
 * the theme instead: the darker shades on a light background, the lighter
 * on a dark one, at least 3:1 against it in the core themes.
 */
const RAMP_VARIABLES = {
  light: ['--jp-warn-color0', '--jp-brand-color0'],
  dark: ['--jp-warn-color1', '--jp-brand-color2']
};

/**
 * The theme variables that make up the categorical palette: the theme's
 * signal colours first (distinct hues in both core themes), then their
 * lighter shades for charts with many runs. Repeats are dropped: in the core
 * themes the success and accent colours are the same green.
 */
const PALETTE_VARIABLES = [
  '--jp-brand-color1',
  '--jp-warn-color1',
  '--jp-accent-color1',
  '--jp-error-color1',
  '--jp-mirror-editor-operator-color',
  '--jp-info-color1',
  '--jp-success-color1',
  '--jp-brand-color3',
  '--jp-warn-color3',
  '--jp-accent-color3',
  '--jp-error-color3',
  '--jp-info-color3'
];

/**
 * Reads the current theme from the element's computed style; the body is
 * where JupyterLab's themes set their variables.
 *
 * Read at each render, not once: a theme change swaps the variables' values
 * but not the nodes, so a chart re-rendered after it picks up the new ones.
 */
export function readChartTheme(
  element: HTMLElement = document.body
): ChartTheme {
  const style = window.getComputedStyle(element);
  const read = (name: string) => style.getPropertyValue(name).trim();
  const palette = [
    ...new Set(PALETTE_VARIABLES.map(read).filter(color => color !== ''))
  ];
  const fontSize = parseFloat(read('--jp-ui-font-size1'));
  const isDark = isDarkTheme(element);
  const ramp = RAMP_VARIABLES[isDark ? 'dark' : 'light'].map(read);
  return {
    foreground: read('--jp-ui-font-color1'),
    background: read('--jp-layout-color0'),
    border: read('--jp-border-color2'),
    fontFamily: read('--jp-ui-font-family'),
    fontSize: Number.isFinite(fontSize) ? fontSize : null,
    palette,
    isDark,
    ...(ramp.every(color => color !== '') ? { ramp } : {})
  };
}

/**
 * Whether JupyterLab shows a dark theme: it marks the body with
 * `data-jp-theme-light="false"` then.
 */
export function isDarkTheme(element: HTMLElement = document.body): boolean {
  return element.dataset.jpThemeLight === 'false';
}

/**
 * The vega-lite config that makes a chart look like the rest of JupyterLab:
 * text, axes, grid and background from the theme, runs coloured from its
 * palette. Properties the theme leaves empty are omitted.
 */
export function chartConfig(theme: ChartTheme = readChartTheme()): Config {
  const text = defined({
    labelColor: theme.foreground,
    titleColor: theme.foreground,
    labelFont: theme.fontFamily,
    titleFont: theme.fontFamily,
    labelFontSize: theme.fontSize ?? undefined,
    titleFontSize: theme.fontSize ?? undefined
  });
  const lines = defined({
    domainColor: theme.border,
    gridColor: theme.border,
    tickColor: theme.border
  });
  const range = defined({
    category: theme.palette.length > 0 ? [...theme.palette] : undefined,
    ramp: theme.ramp ? [...theme.ramp] : undefined
  });
  return defined({
    background: theme.background || undefined,
    font: theme.fontFamily || undefined,
    axis: { ...text, ...lines },
    legend: text,
    header: text,
    title: defined({
      color: theme.foreground,
      font: theme.fontFamily
    }),
    view: defined({ stroke: theme.border }),
    text: defined({ color: theme.foreground }),
    range: Object.keys(range).length > 0 ? range : undefined,
    mark: theme.palette.length > 0 ? { color: theme.palette[0] } : undefined
  });
}

/**
 * The object without its empty and undefined properties.
 */
function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined && value !== '') {
      result[key] = value;
    }
  }
  return result as Partial<T>;
}
