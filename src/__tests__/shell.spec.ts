import type { JupyterFrontEnd } from '@jupyterlab/application';
import { SplitPanel, TabPanel, Widget } from '@lumino/widgets';

import { openView } from '../shell';

/**
 * A shell shaped like Notebook 7's: a main area holding the page's notebook,
 * and a bottom panel (a tab panel) under it in a vertical split.
 */
class NotebookLikeShell {
  constructor() {
    this.split.orientation = 'vertical';
    this.split.addWidget(this.main);
    this.split.addWidget(this.down);
    this.split.setRelativeSizes([1, 0]);
  }

  readonly split = new SplitPanel();
  readonly main = new Widget();
  readonly down = new TabPanel();
  readonly added: string[] = [];

  widgets(area: string): IterableIterator<Widget> {
    return (area === 'main' ? [this.main] : this.down.widgets)[
      Symbol.iterator
    ]();
  }

  add(widget: Widget, area: string): void {
    this.added.push(area);
    if (area === 'down') {
      this.down.addWidget(widget);
    }
  }

  activateById(): void {
    // Notebook 7 shows the panel and activates the widget.
  }
}

describe('openView()', () => {
  it("should open a view in Notebook 7's bottom panel, with half the page", () => {
    const shell = new NotebookLikeShell();
    const view = new Widget();
    openView({ shell } as unknown as JupyterFrontEnd, view);

    expect(shell.added).toEqual(['down']);
    expect(view.parent?.parent).toBe(shell.down);
    expect(shell.split.relativeSizes()).toEqual([0.5, 0.5]);
  });

  it('should bring the newest view forward in the bottom panel', () => {
    const shell = new NotebookLikeShell();
    const first = new Widget();
    const second = new Widget();
    openView({ shell } as unknown as JupyterFrontEnd, first);
    openView({ shell } as unknown as JupyterFrontEnd, second);

    expect(shell.down.currentWidget).toBe(second);
  });

  it('should leave the bottom panel its height when the user gave it one', () => {
    const shell = new NotebookLikeShell();
    shell.split.setRelativeSizes([0.7, 0.3]);
    openView({ shell } as unknown as JupyterFrontEnd, new Widget());

    expect(shell.split.relativeSizes()).toEqual([0.7, 0.3]);
  });

  it('should open a view in the main area when nothing holds it', () => {
    const shell = new NotebookLikeShell();
    shell.widgets = () => [][Symbol.iterator]();
    openView({ shell } as unknown as JupyterFrontEnd, new Widget());

    expect(shell.added).toEqual(['main']);
  });
});
