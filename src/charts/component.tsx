import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { TopLevelSpec } from 'vega-lite';

import { ChartHost } from './host';

/**
 * A vega-lite chart in a React tree: drawn (vega loaded on the first one)
 * when it mounts, drawn again when its spec or the theme changes, and
 * finalized when it unmounts.
 */
export function Chart(props: Chart.IProps): React.ReactElement {
  const { spec, trans, fileName, themeVersion, onRunSelected, renderer } =
    props;
  const node = React.useRef<HTMLDivElement>(null);
  const host = React.useRef<ChartHost | null>(null);
  const [failure, setFailure] = React.useState<string | null>(null);

  React.useEffect(() => {
    host.current = new ChartHost(node.current!, {
      trans,
      fileName,
      onRunSelected,
      renderer
    });
    // A panel resized by dragging its edge fires no window `resize`, all
    // vega measures its container on: the chart is drawn again at its
    // node's new width, once the drag has paused.
    let width = node.current!.clientWidth;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const observer =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            const now = node.current?.clientWidth ?? 0;
            if (now > 0 && now !== width) {
              width = now;
              if (timer !== null) {
                clearTimeout(timer);
              }
              timer = setTimeout(() => {
                timer = null;
                void host.current?.refresh();
              }, REDRAW_DELAY);
            }
          });
    observer?.observe(node.current!);
    return () => {
      observer?.disconnect();
      if (timer !== null) {
        clearTimeout(timer);
      }
      host.current?.dispose();
    };
  }, []);

  React.useEffect(() => {
    host.current?.render(spec).then(
      () => setFailure(null),
      reason => setFailure(String(reason))
    );
  }, [spec, themeVersion]);

  return (
    <>
      <div ref={node} className="jp-RunsChart" />
      {failure && (
        <p className="jp-RunsChart-failure" role="alert">
          {trans.__('The chart could not be drawn: %1', failure)}
        </p>
      )}
    </>
  );
}

/**
 * How long a resize must pause, in ms, before the chart is drawn again at
 * the new width.
 */
const REDRAW_DELAY = 150;

export namespace Chart {
  export interface IProps {
    spec: TopLevelSpec;
    trans: TranslationBundle;
    /** The name of exported PNG and SVG files, without extension. */
    fileName: string;
    /** Changes when the theme changes, to draw in its colours. */
    themeVersion: number;
    /** Called with the run a click selects (charts with a run selection). */
    onRunSelected?: (runId: string | null) => void;
    /** `canvas` (the default) or `svg`; see `RenderOptions.renderer`. */
    renderer?: 'canvas' | 'svg';
  }
}
