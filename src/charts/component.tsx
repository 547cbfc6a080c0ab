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
  const { spec, trans, fileName, themeVersion, onRunSelected } = props;
  const node = React.useRef<HTMLDivElement>(null);
  const host = React.useRef<ChartHost | null>(null);
  const [failure, setFailure] = React.useState<string | null>(null);

  React.useEffect(() => {
    host.current = new ChartHost(node.current!, {
      trans,
      fileName,
      onRunSelected
    });
    return () => host.current?.dispose();
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
  }
}
