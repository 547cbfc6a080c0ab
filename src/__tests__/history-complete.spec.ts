import { knownFields } from '../history/query';
import { completeField, MAX_OPTIONS } from '../history/query/complete';

// What a seed study's runs record: the parameters the user set, the metrics
// it logged and a tag.
const KNOWN = knownFields([
  {
    params: { seed: 69, lr: 0.001, session: 'a', 'batch size': 64 },
    metrics: { rmse: 6.5, 'validation-rmse': 7.25, 'val/loss': 0.3 },
    tags: { model: 'xgboost' }
  },
  {
    params: { seed: 42, lr: 0.001, session: 'b' },
    metrics: { rmse: 6.6, accuracy: 0.9 },
    tags: {}
  }
]);

/**
 * The options offered with the caret at the end of `text`, or where `|`
 * stands in it.
 */
function optionsAt(text: string): readonly string[] | null {
  const caret = text.includes('|') ? text.indexOf('|') : text.length;
  return completeField(text.replace('|', ''), caret, KNOWN)?.options ?? null;
}

describe('completeField()', () => {
  it('should offer the parameters starting with what follows params.', () => {
    expect(completeField('params.se', 9, KNOWN)).toEqual({
      from: 0,
      to: 9,
      options: ['params.seed', 'params.session']
    });
    expect(optionsAt('params.')).toEqual([
      'params.`batch size`',
      'params.lr',
      'params.seed',
      'params.session'
    ]);
  });

  it('should offer the metrics after metrics. and after its first letters', () => {
    expect(optionsAt('metrics.r')).toEqual([
      'metrics.rmse',
      // Containing the letters comes after starting with them.
      'metrics.accuracy',
      'metrics.validation-rmse'
    ]);
    expect(optionsAt('metr')).toEqual([
      'metrics.accuracy',
      'metrics.rmse',
      'metrics.`val/loss`',
      'metrics.validation-rmse'
    ]);
  });

  it('should read the singular prefixes and any case as the plural', () => {
    expect(optionsAt('param.se')).toEqual(['params.seed', 'params.session']);
    expect(optionsAt('TAGS.m')).toEqual(['tags.model']);
  });

  it('should offer fields and attributes for a bare name, starting ones first', () => {
    expect(optionsAt('se')).toEqual([
      'params.seed',
      'params.session',
      // Names containing it come last.
      'metrics.rmse',
      'metrics.validation-rmse'
    ]);
    expect(optionsAt('st')).toEqual(['started', 'status']);
    // The attributes starting with "n", before the names containing one.
    expect(optionsAt('n')?.slice(0, 3)).toEqual(['name', 'note', 'notebook']);
  });

  it('should complete the word at the caret in the middle of a query', () => {
    const text = 'params.se and status = failed';
    expect(completeField(text, 9, KNOWN)).toEqual({
      from: 0,
      to: 9,
      options: ['params.seed', 'params.session']
    });
    // The whole word is replaced, also what follows the caret.
    const middle = 'status = failed and metrics.rm|se_old < 3';
    const caret = middle.indexOf('|');
    expect(completeField(middle.replace('|', ''), caret, KNOWN)).toEqual({
      from: 20,
      to: 36,
      options: ['metrics.rmse', 'metrics.validation-rmse']
    });
  });

  it.each([
    ['after "or" and "not"', 'status = failed or not se', ['params.seed']],
    ['after "("', '(se', ['params.seed']],
    ['after a closed group', '(pinned) and se', ['params.seed']],
    ['after a boolean attribute alone', 'pinned and se', ['params.seed']]
  ])('should offer fields %s', (_, text, options) => {
    expect(optionsAt(text as string)?.slice(0, 1)).toEqual(options);
  });

  it.each([
    ['an empty query', ''],
    ['after a space', 'params.seed '],
    ['after "="', 'params.seed = se'],
    ['after "=" with no space', 'params.seed=se'],
    ['after "~"', 'name ~ st'],
    ['after a field', 'params.seed ex'],
    ['after a value', 'status = failed st'],
    ['in a list of values', 'status in (fa'],
    ['in an unclosed string', 'tags.model = "xg st'],
    ['in a number', 'params.lr < 1e'],
    ['for a name that matches nothing', 'params.zz']
  ])('should offer nothing %s', (_, text) => {
    expect(optionsAt(text)).toBeNull();
  });

  it('should not offer the name already written in full', () => {
    expect(optionsAt('params.seed')).toBeNull();
    expect(optionsAt('status')).toBeNull();
  });

  it('should offer at most eight names', () => {
    const many = knownFields([
      {
        params: Object.fromEntries(
          Array.from({ length: 20 }, (_, i) => [`p${i}`, i])
        ),
        metrics: {},
        tags: {}
      }
    ]);
    expect(completeField('params.p', 8, many)?.options).toHaveLength(
      MAX_OPTIONS
    );
    expect(MAX_OPTIONS).toBe(8);
  });

  it('should offer the attributes when no run is at hand', () => {
    expect(completeField('stat', 4, null)?.options).toEqual(['status']);
    expect(completeField('params.se', 9, null)).toBeNull();
  });
});
