/**
 * The tooltip options handed to vega-embed, which passes them to
 * vega-tooltip's handler.
 *
 * Run names, parameter names and values are stored text a notebook wrote, and
 * vega-tooltip shows its tooltip by setting `innerHTML`. Its defaults are
 * close to safe but not quite what we want:
 * - its `sanitize` escapes only `&` and `<`; that is enough inside text, but
 *   we escape the five HTML specials so the output stays safe wherever the
 *   format puts it;
 * - its format treats two keys specially: `title` becomes a heading and
 *   `image` becomes an `<img src>` loaded from the value, so a parameter
 *   called "image" would make the browser fetch whatever URL it held.
 *
 * So the format is ours: every key and value is escaped text in a table, no
 * key is special, no markup comes from the data. No option here enables
 * HTML content.
 */
export type TooltipOptions = {
  readonly theme: 'light' | 'dark';
  readonly sanitize: (value: unknown) => string;
  readonly formatTooltip: (
    value: unknown,
    valueToHtml?: (value: unknown) => string,
    maxDepth?: number
  ) => string;
};

/**
 * The options for the current theme.
 */
export function tooltipOptions(isDark: boolean): TooltipOptions {
  return {
    theme: isDark ? 'dark' : 'light',
    sanitize: escapeHtml,
    formatTooltip
  };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
};

/**
 * The value as text with the HTML specials escaped.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, char => ESCAPES[char]);
}

/**
 * The tooltip's HTML for a value: an object (what vega-lite makes of a list
 * of tooltip fields) is a table of its keys and values, anything else its
 * text. Nested values are shown as JSON. Everything from the data goes
 * through `escapeHtml`; the handler's `valueToHtml` (its `sanitize`) is not
 * relied on.
 */
export function formatTooltip(
  value: unknown,
  _valueToHtml?: (value: unknown) => string,
  maxDepth = 2
): string {
  if (typeof value !== 'object' || value === null) {
    return escapeHtml(value);
  }
  if (Array.isArray(value)) {
    return escapeHtml(nestedText(value, maxDepth));
  }
  const rows = Object.entries(value)
    .filter(([, cell]) => cell !== undefined)
    .map(([key, cell]) => {
      const text =
        typeof cell === 'object' && cell !== null
          ? nestedText(cell, maxDepth)
          : cell;
      return (
        `<tr><td class="key">${escapeHtml(key)}</td>` +
        `<td class="value">${escapeHtml(text)}</td></tr>`
      );
    });
  return rows.length > 0 ? `<table>${rows.join('')}</table>` : '';
}

/**
 * An object or array as JSON, cut below `maxDepth` levels.
 */
function nestedText(value: object, maxDepth: number): string {
  const depth = (object: unknown, level: number): unknown => {
    if (typeof object !== 'object' || object === null) {
      return object;
    }
    if (level >= maxDepth) {
      return '[Object]';
    }
    if (Array.isArray(object)) {
      return object.map(item => depth(item, level + 1));
    }
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      copy[key] = depth(item, level + 1);
    }
    return copy;
  };
  return JSON.stringify(depth(value, 0));
}
