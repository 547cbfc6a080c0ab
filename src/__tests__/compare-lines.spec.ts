import { inlineMarks, tokenize } from '../compare/inline';
import type { LineDiff } from '../compare/lines';
import { diffLines, splitLines } from '../compare/lines';
import { editScript } from '../compare/myers';

/**
 * The longest common subsequence's length, the slow and obvious way.
 */
function lcsLength(a: readonly number[], b: readonly number[]): number {
  const table = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0)
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i][j] =
        a[i - 1] === b[j - 1]
          ? table[i - 1][j - 1] + 1
          : Math.max(table[i - 1][j], table[i][j - 1]);
    }
  }
  return table[a.length][b.length];
}

/**
 * A small deterministic random generator, so failures replay.
 */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function lines(count: number, label: string): string {
  return Array.from({ length: count }, (_, i) => `${label} ${i}`).join('\n');
}

function allLines(diff: LineDiff.Result): LineDiff.Line[] {
  return diff.hunks.flatMap(hunk => [...hunk.lines]);
}

describe('compare/myers', () => {
  describe('#editScript()', () => {
    it('should find a minimal script that rebuilds both sides', () => {
      const next = random(7);
      for (let round = 0; round < 300; round++) {
        const a = Array.from({ length: Math.floor(next() * 12) }, () =>
          Math.floor(next() * 4)
        );
        const b = Array.from({ length: Math.floor(next() * 12) }, () =>
          Math.floor(next() * 4)
        );
        const { edits, exact } = editScript(a, b);
        expect(exact).toBe(true);
        const oldSide = edits
          .filter(edit => edit.op !== 'insert')
          .map(edit => a[edit.oldIndex]);
        const newSide = edits
          .filter(edit => edit.op !== 'delete')
          .map(edit => b[edit.newIndex]);
        expect(oldSide).toEqual(a);
        expect(newSide).toEqual(b);
        for (const edit of edits.filter(item => item.op === 'equal')) {
          expect(a[edit.oldIndex]).toBe(b[edit.newIndex]);
        }
        const changes = edits.filter(edit => edit.op !== 'equal').length;
        expect(changes).toBe(a.length + b.length - 2 * lcsLength(a, b));
      }
    });

    it('should replace the middle when there are more edits than allowed', () => {
      const { edits, exact } = editScript([1, 2, 3, 4, 9], [1, 5, 6, 7, 9], {
        maxEdits: 2
      });
      expect(exact).toBe(false);
      expect(edits.map(edit => edit.op)).toEqual([
        'equal',
        'delete',
        'delete',
        'delete',
        'insert',
        'insert',
        'insert',
        'equal'
      ]);
    });
  });
});

describe('compare/lines', () => {
  describe('#splitLines()', () => {
    it.each([
      ['', []],
      ['a', ['a']],
      ['a\n', ['a']],
      ['a\nb', ['a', 'b']],
      ['a\r\nb\rc\n\n', ['a', 'b', 'c', '']]
    ])('should split %j', (text, expected) => {
      expect(splitLines(text)).toEqual(expected);
    });
  });

  describe('#diffLines()', () => {
    it('should find nothing in identical texts', () => {
      const diff = diffLines('import numpy\nx = 1\n', 'import numpy\nx = 1\n');
      expect(diff).toEqual({
        hunks: [],
        added: 0,
        removed: 0,
        identical: true,
        coarse: false
      });
    });

    it('should mark the changed number of a changed line', () => {
      const diff = diffLines(
        'import random\nseed = 69\nrandom.seed(seed)',
        'import random\nseed = 42\nrandom.seed(seed)'
      );
      expect(diff.added).toBe(1);
      expect(diff.removed).toBe(1);
      expect(diff.hunks).toHaveLength(1);
      const [hunk] = diff.hunks;
      expect(hunk).toMatchObject({
        oldStart: 1,
        oldLines: 3,
        newStart: 1,
        newLines: 3
      });
      expect(hunk.lines).toEqual([
        {
          kind: 'equal',
          text: 'import random',
          oldLine: 1,
          newLine: 1,
          marks: null
        },
        {
          kind: 'delete',
          text: 'seed = 69',
          oldLine: 2,
          newLine: null,
          marks: [
            { text: 'seed = ', changed: false },
            { text: '69', changed: true }
          ]
        },
        {
          kind: 'insert',
          text: 'seed = 42',
          oldLine: null,
          newLine: 2,
          marks: [
            { text: 'seed = ', changed: false },
            { text: '42', changed: true }
          ]
        },
        {
          kind: 'equal',
          text: 'random.seed(seed)',
          oldLine: 3,
          newLine: 3,
          marks: null
        }
      ]);
    });

    it('should keep three lines of context and split far changes into hunks', () => {
      const old = lines(20, 'line');
      const changed = old
        .replace('line 2\n', 'line two\n')
        .replace('line 15\n', 'line fifteen\n');
      const diff = diffLines(old, changed);
      expect(
        diff.hunks.map(hunk => [
          hunk.oldStart,
          hunk.oldLines,
          hunk.newStart,
          hunk.newLines
        ])
      ).toEqual([
        [1, 6, 1, 6],
        [13, 7, 13, 7]
      ]);
    });

    it('should merge changes whose context meets', () => {
      const old = lines(12, 'line');
      const changed = old
        .replace('line 2\n', 'line two\n')
        .replace('line 8\n', 'line eight\n');
      expect(diffLines(old, changed).hunks).toHaveLength(1);
      expect(diffLines(old, changed, { context: 1 }).hunks).toHaveLength(2);
    });

    it('should number insertions into an empty text from line 0', () => {
      const diff = diffLines('', 'a\nb');
      expect(diff.hunks).toEqual([
        expect.objectContaining({
          oldStart: 0,
          oldLines: 0,
          newStart: 1,
          newLines: 2
        })
      ]);
      expect(allLines(diff).map(line => line.kind)).toEqual([
        'insert',
        'insert'
      ]);
    });

    it('should put deleted lines before inserted ones and number them', () => {
      const diff = diffLines('a\nb\nc\nd', 'a\nx\ny\nd\ne');
      expect(
        allLines(diff).map(line => [line.kind, line.oldLine, line.newLine])
      ).toEqual([
        ['equal', 1, 1],
        ['delete', 2, null],
        ['delete', 3, null],
        ['insert', null, 2],
        ['insert', null, 3],
        ['equal', 4, 4],
        ['insert', null, 5]
      ]);
    });

    it('should fall back to a coarse replacement past 5,000 lines a side', () => {
      const started = Date.now();
      const diff = diffLines(lines(6000, 'old'), lines(6000, 'new'));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(diff.coarse).toBe(true);
      expect(diff.removed).toBe(6000);
      expect(diff.added).toBe(6000);
      expect(allLines(diff).every(line => line.marks === null)).toBe(true);
    });

    it('should stay exact when a huge text changes in one place', () => {
      const old = lines(20000, 'line');
      const diff = diffLines(old, old.replace('line 10000\n', 'changed\n'));
      expect(diff.coarse).toBe(false);
      expect([diff.added, diff.removed]).toEqual([1, 1]);
      expect(diff.hunks[0].oldStart).toBe(9998);
    });

    it('should fall back to a coarse replacement past the edit bound', () => {
      const started = Date.now();
      const diff = diffLines(lines(4000, 'old'), lines(4000, 'new'));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(diff.coarse).toBe(true);
      expect([diff.added, diff.removed]).toEqual([4000, 4000]);
    });
  });
});

describe('compare/inline', () => {
  describe('#tokenize()', () => {
    it('should cut words, spaces and punctuation apart', () => {
      expect(tokenize('lr=0.01  # é')).toEqual([
        'lr',
        '=',
        '0',
        '.',
        '01',
        '  ',
        '#',
        ' ',
        'é'
      ]);
    });
  });

  describe('#inlineMarks()', () => {
    it('should mark only the changed words', () => {
      expect(
        inlineMarks('model.fit(x, epochs=10)', 'model.fit(x, epochs=20)')
      ).toEqual({
        old: [
          { text: 'model.fit(x, epochs=', changed: false },
          { text: '10', changed: true },
          { text: ')', changed: false }
        ],
        new: [
          { text: 'model.fit(x, epochs=', changed: false },
          { text: '20', changed: true },
          { text: ')', changed: false }
        ]
      });
    });

    it('should mark an insertion on the new side only', () => {
      expect(inlineMarks('f(a)', 'f(a, b)')).toEqual({
        old: [{ text: 'f(a)', changed: false }],
        new: [
          { text: 'f(a', changed: false },
          { text: ', b', changed: true },
          { text: ')', changed: false }
        ]
      });
    });

    it('should not mark lines with too little in common', () => {
      expect(inlineMarks('import numpy as np', 'df.head()')).toBeNull();
    });

    it('should not mark very long lines', () => {
      expect(inlineMarks('x'.repeat(3000), 'y'.repeat(3000))).toBeNull();
    });
  });
});
