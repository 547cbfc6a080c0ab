import { chartConfig, isDarkTheme, readChartTheme } from '../charts/theme';
import { escapeHtml, formatTooltip, tooltipOptions } from '../charts/tooltip';

/**
 * The variables of a JupyterLab theme, as its CSS would set them.
 */
const DARK = {
  '--jp-ui-font-color1': 'rgba(255, 255, 255, 0.87)',
  '--jp-layout-color0': '#111',
  '--jp-border-color2': '#424242',
  '--jp-ui-font-family': 'system-ui, sans-serif',
  '--jp-ui-font-size1': '13px',
  '--jp-brand-color1': '#2196f3',
  '--jp-warn-color1': '#ff9800',
  '--jp-accent-color1': '#4caf50',
  '--jp-success-color1': '#4caf50'
};

function applyTheme(variables: Record<string, string>, light: boolean): void {
  for (const [name, value] of Object.entries(variables)) {
    document.body.style.setProperty(name, value);
  }
  document.body.dataset.jpThemeLight = String(light);
}

function clearTheme(): void {
  document.body.removeAttribute('style');
  delete document.body.dataset.jpThemeLight;
}

describe('charts/theme', () => {
  afterEach(clearTheme);

  describe('readChartTheme()', () => {
    it("should read the theme's variables from the body", () => {
      applyTheme(DARK, false);
      expect(readChartTheme()).toEqual({
        foreground: 'rgba(255, 255, 255, 0.87)',
        background: '#111',
        border: '#424242',
        fontFamily: 'system-ui, sans-serif',
        fontSize: 13,
        // The success colour repeats the accent one: kept once.
        palette: ['#2196f3', '#ff9800', '#4caf50'],
        isDark: true
      });
    });

    it('should follow a theme change at the next read', () => {
      applyTheme(DARK, false);
      applyTheme({ '--jp-layout-color0': 'white' }, true);
      const theme = readChartTheme();
      expect(theme.background).toBe('white');
      expect(theme.isDark).toBe(false);
    });
  });

  describe('isDarkTheme()', () => {
    it.each([
      ['false', true],
      ['true', false],
      [undefined, false]
    ])('should read data-jp-theme-light=%p as dark: %p', (light, dark) => {
      if (light !== undefined) {
        document.body.dataset.jpThemeLight = light;
      }
      expect(isDarkTheme()).toBe(dark);
    });
  });

  describe('chartConfig()', () => {
    it('should colour text, axes, background and runs from the theme', () => {
      applyTheme(DARK, false);
      const config = chartConfig();
      expect(config.background).toBe('#111');
      expect(config.font).toBe('system-ui, sans-serif');
      expect(config.axis).toMatchObject({
        labelColor: 'rgba(255, 255, 255, 0.87)',
        titleColor: 'rgba(255, 255, 255, 0.87)',
        gridColor: '#424242',
        domainColor: '#424242',
        labelFontSize: 13
      });
      expect(config.legend).toMatchObject({
        labelColor: 'rgba(255, 255, 255, 0.87)'
      });
      expect(config.range).toEqual({
        category: ['#2196f3', '#ff9800', '#4caf50']
      });
    });

    // The colours of JupyterLab's core themes (theme-light-extension and
    // theme-dark-extension), for the variables the colour scale reads.
    const CORE_THEMES = {
      light: {
        variables: {
          '--jp-layout-color0': '#ffffff',
          '--jp-layout-color1': '#ffffff',
          '--jp-brand-color0': '#0d47a1',
          '--jp-brand-color1': '#1976d2',
          '--jp-brand-color2': '#64b5f6',
          '--jp-warn-color0': '#e65100',
          '--jp-warn-color1': '#f57c00'
        },
        light: true
      },
      dark: {
        variables: {
          '--jp-layout-color0': '#111111',
          '--jp-layout-color1': '#212121',
          '--jp-brand-color0': '#1976d2',
          '--jp-brand-color1': '#2196f3',
          '--jp-brand-color2': '#64b5f6',
          '--jp-warn-color0': '#f57c00',
          '--jp-warn-color1': '#ff9800'
        },
        light: false
      }
    };

    it.each(['light', 'dark'] as const)(
      'should colour lines by their metric legibly on the %s background',
      name => {
        const { variables, light } = CORE_THEMES[name];
        applyTheme(variables, light);
        const ramp = (chartConfig().range as { ramp?: string[] }).ramp;
        expect(ramp).toHaveLength(2);
        // Both ends of the scale against the chart's and the sidebar's
        // background: at least 3:1, what WCAG asks of graphics.
        for (const colour of ramp!) {
          for (const background of [
            variables['--jp-layout-color0'],
            variables['--jp-layout-color1']
          ]) {
            expect(contrast(colour, background)).toBeGreaterThanOrEqual(3);
          }
        }
      }
    );

    it("should leave vega's defaults where the theme sets nothing", () => {
      const config = chartConfig();
      expect(config.background).toBeUndefined();
      expect(config.range).toBeUndefined();
      expect(config.axis).toEqual({});
    });
  });
});

describe('charts/tooltip', () => {
  describe('escapeHtml()', () => {
    it('should escape the five HTML specials', () => {
      expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
        '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;'
      );
    });
  });

  describe('formatTooltip()', () => {
    /**
     * What the tooltip shows once the browser parses the HTML.
     */
    function render(html: string): HTMLElement {
      const node = document.createElement('div');
      node.innerHTML = html;
      return node;
    }

    it('should show keys and values as text, never as markup', () => {
      const node = render(
        formatTooltip({
          Run: '<img src=x onerror="alert(1)">',
          '<b>lr</b>': '<script>alert(2)</script>'
        })
      );
      expect(node.querySelector('img, script, b')).toBeNull();
      const cells = [...node.querySelectorAll('td')].map(td => td.textContent);
      expect(cells).toEqual([
        'Run',
        '<img src=x onerror="alert(1)">',
        '<b>lr</b>',
        '<script>alert(2)</script>'
      ]);
    });

    it('should treat the keys "title" and "image" as any other', () => {
      const node = render(
        formatTooltip({ title: 'heading?', image: 'https://example.org/x.png' })
      );
      expect(node.querySelector('img, h2')).toBeNull();
      expect(node.querySelectorAll('tr')).toHaveLength(2);
    });

    it('should show a plain value as escaped text', () => {
      expect(formatTooltip('<i>x</i>')).toBe('&lt;i&gt;x&lt;/i&gt;');
    });

    it('should show nested values as JSON, cut at the depth', () => {
      const node = render(
        formatTooltip({ deep: { a: { b: { c: 1 } } } }, undefined, 2)
      );
      expect(node.querySelector('td.value')?.textContent).toBe(
        '{"a":{"b":"[Object]"}}'
      );
    });
  });

  describe('tooltipOptions()', () => {
    it('should follow the theme and use our format', () => {
      expect(tooltipOptions(true)).toEqual({
        theme: 'dark',
        sanitize: escapeHtml,
        formatTooltip
      });
      expect(tooltipOptions(false).theme).toBe('light');
    });
  });
});

/**
 * The WCAG contrast ratio of two `#rrggbb` colours.
 */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map(i => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}
