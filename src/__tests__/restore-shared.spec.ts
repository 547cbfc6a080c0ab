import { isSharedNotebook } from '../restore/restore';

/**
 * The contents manager's part that says which shared model factory a path
 * gets: collaborative for the `rtc` content provider only, as the
 * collaboration extension sets it up.
 */
const contents = {
  getSharedModelFactory: (
    _path: string,
    options?: { contentProviderId?: string }
  ) =>
    ({
      collaborative: options?.contentProviderId === 'rtc'
    }) as never
};

const panel = (collaborative: boolean | undefined) => ({
  context: { model: { collaborative } }
});

describe('restore', () => {
  describe('#isSharedNotebook()', () => {
    it.each([
      [
        'an open notebook whose model is collaborative',
        panel(true),
        'rtc',
        true
      ],
      ['an open notebook whose model is not', panel(false), 'rtc', false],
      [
        'an open notebook of a model without the flag',
        panel(undefined),
        'rtc',
        false
      ],
      [
        'a closed notebook opened through the collaborative drive',
        undefined,
        'rtc',
        true
      ],
      [
        'a closed notebook opened through the default drive',
        undefined,
        undefined,
        false
      ]
    ])('should tell %s', (_, openPanel, contentProviderId, shared) => {
      expect(
        isSharedNotebook('train.ipynb', {
          openPanel,
          contentProviderId,
          contents
        })
      ).toBe(shared);
    });

    it('should say a notebook no drive shares is not shared', () => {
      expect(
        isSharedNotebook('train.ipynb', {
          contents: { getSharedModelFactory: () => null }
        })
      ).toBe(false);
    });
  });
});
