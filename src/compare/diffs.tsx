import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { CellDiff } from './cells';
import type { EnvDiff } from './env';
import type { LineDiff } from './lines';

/**
 * The changed cells of a cell diff, each with its line diff (changed words
 * marked), as text.
 */
export function CellDiffs(props: {
  diff: CellDiff.Result;
  trans: TranslationBundle;
}): React.ReactElement {
  const { diff, trans } = props;
  const shown = diff.cells.filter(cell => cell.status !== 'unchanged');
  return (
    <ol className="jp-RunsCompare-cells">
      {shown.map((cell, index) => (
        <li
          key={`${cell.id ?? ''}/${index}`}
          className={`jp-RunsCompare-cell jp-mod-${cell.status}`}
        >
          <div className="jp-RunsCompare-cellHeader">
            <span className="jp-RunsCompare-cellStatus">
              {cellStatusText(cell.status, trans)}
            </span>
            {cell.id && (
              <span className="jp-RunsCompare-cellId">
                {trans.__('cell %1', cell.id)}
              </span>
            )}
          </div>
          {cell.lines ? (
            <Hunks hunks={cell.lines.hunks} />
          ) : (
            <pre className="jp-RunsCompare-source">
              {cell.newSource ?? cell.oldSource}
            </pre>
          )}
        </li>
      ))}
    </ol>
  );
}

/**
 * A line diff as unified-diff hunks.
 */
function Hunks(props: { hunks: readonly LineDiff.Hunk[] }): React.ReactElement {
  return (
    <pre className="jp-RunsCompare-diff">
      {props.hunks.map((hunk, index) => (
        <React.Fragment key={index}>
          <span className="jp-RunsCompare-hunk">
            {`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@\n`}
          </span>
          {hunk.lines.map((line, lineIndex) => (
            <span
              key={lineIndex}
              className={`jp-RunsCompare-line jp-mod-${line.kind}`}
            >
              {line.kind === 'insert'
                ? '+'
                : line.kind === 'delete'
                  ? '-'
                  : ' '}
              {line.marks
                ? line.marks.map((mark, markIndex) =>
                    mark.changed ? (
                      <mark key={markIndex}>{mark.text}</mark>
                    ) : (
                      <React.Fragment key={markIndex}>
                        {mark.text}
                      </React.Fragment>
                    )
                  )
                : line.text}
              {'\n'}
            </span>
          ))}
        </React.Fragment>
      ))}
    </pre>
  );
}

/**
 * The changed packages and environment fields of an environment diff.
 */
export function EnvDiffTable(props: {
  diff: EnvDiff.Result;
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { diff, trans } = props;
  if (diff.packages.length === 0 && diff.fields.length === 0) {
    return null;
  }
  return (
    <table className="jp-RunsCompare-table">
      <thead>
        <tr>
          <th scope="col">{trans.__('Name')}</th>
          <th scope="col">{trans.__('From')}</th>
          <th scope="col">{trans.__('To')}</th>
        </tr>
      </thead>
      <tbody>
        {diff.fields.map(field => (
          <tr key={field.field} className="jp-mod-differs">
            <th scope="row">{field.field}</th>
            <td>{field.old ?? '—'}</td>
            <td>{field.new ?? '—'}</td>
          </tr>
        ))}
        {diff.packages.map(item => (
          <tr key={item.name} className={`jp-mod-${item.status}`}>
            <th scope="row">{item.name}</th>
            <td>{item.oldVersion ?? '—'}</td>
            <td>
              {item.newVersion ?? '—'}
              {item.direction && ` (${item.direction})`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function cellStatusText(
  status: CellDiff.Status,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'changed':
      return trans.__('changed');
    case 'added':
      return trans.__('added');
    case 'removed':
      return trans.__('removed');
    case 'moved':
      return trans.__('moved');
    default:
      return trans.__('unchanged');
  }
}
