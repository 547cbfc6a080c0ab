import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';

import { shortReason, StoreHealthNotices } from '../store/notices';
import type { Runs } from '../tokens';
import { FakeRunStore } from './capture-fakes';

const SAVING: Runs.StoreHealth = {
  writes: 'saving',
  reason: null,
  path: null,
  since: null,
  localProblem: null
};

const REFUSED: Runs.StoreHealth = {
  ...SAVING,
  writes: 'refused',
  reason: 'Permission denied: .runs/notebooks/a/index.a.json.gz',
  path: '.runs/notebooks/a/index.a.json.gz',
  since: 1
};

describe('StoreHealthNotices', () => {
  let store: FakeRunStore;
  let notices: StoreHealthNotices;
  let settingsOpened: number;

  function setHealth(health: Runs.StoreHealth): void {
    store.health = health;
    store.healthChanged.emit(health);
  }

  function shown(): Notification.INotification[] {
    return [...Notification.manager.notifications];
  }

  beforeEach(() => {
    for (const { id } of Notification.manager.notifications) {
      Notification.dismiss(id);
    }
    store = new FakeRunStore();
    settingsOpened = 0;
    notices = new StoreHealthNotices({
      store,
      trans: nullTranslator.load('jupyterlab_runs'),
      openSettings: () => (settingsOpened += 1)
    });
  });

  afterEach(() => notices.dispose());

  it('should show one error naming the refused file and the reason, with Retry Now and Open Settings', () => {
    setHealth(REFUSED);
    setHealth({ ...REFUSED, since: 2 });

    const [error, ...others] = shown();
    expect(others).toEqual([]);
    expect(error.type).toBe('error');
    expect(error.message).toBe(
      'Runs are not being saved: Permission denied. Saving is paused; runs are kept in this browser until the store folder can be written.'
    );
    // What a toast shows whole.
    expect(error.message.length).toBeLessThanOrEqual(140);
    expect(error.options.autoClose).toBe(false);
    const [retry, details, settings] = error.options.actions!;
    expect(details.label).toBe('Details');
    retry.callback(new MouseEvent('click'));
    settings.callback(new MouseEvent('click'));
    expect(store.retries).toBe(1);
    expect(settingsOpened).toBe(1);
  });

  it('should turn the error into a success once runs are saved again', () => {
    setHealth(REFUSED);
    setHealth(SAVING);

    const [notice, ...others] = shown();
    expect(others).toEqual([]);
    expect(notice.type).toBe('success');
    expect(notice.message).toContain('Runs are saved again');
    expect(notice.options.actions ?? []).toEqual([]);
  });

  it('should say nothing while the server cannot be reached', () => {
    setHealth({ ...SAVING, writes: 'offline', reason: 'Failed to fetch' });
    setHealth(SAVING);

    expect(shown()).toEqual([]);
  });

  it('should warn once that the browser storage cannot be used', () => {
    const full = { ...SAVING, localProblem: 'The quota has been exceeded.' };
    setHealth(full);
    setHealth({ ...full, writes: 'offline' });
    setHealth(full);

    const [warning, ...others] = shown();
    expect(others).toEqual([]);
    expect(warning.type).toBe('warning');
    expect(warning.message).toContain(
      "this browser's storage (IndexedDB) cannot be used"
    );
    expect(warning.message.length).toBeLessThanOrEqual(140);
  });

  it('should follow the store no more once disposed', () => {
    notices.dispose();
    setHealth(REFUSED);

    expect(shown()).toEqual([]);
  });
});

describe('shortReason', () => {
  const path = '.runs/notebooks/a/packs/x-0.a.json.gz';

  it.each([
    [`Permission denied: ${path}`, 'Permission denied'],
    [
      'Permission denied: .runs/notebooks/a/packs/x-0.b.json.gz',
      'Permission denied'
    ],
    [
      `Unexpected error while saving file: ${path} [Errno 27] File too large`,
      'File too large'
    ],
    [
      `Unexpected error while saving file: ${path} [Errno 28] No space left on device`,
      'No space left on device'
    ],
    ['Internal Server Error', 'Internal Server Error'],
    [path, path]
  ])('should give the gist of %j', (reason, gist) => {
    expect(shortReason(reason, path)).toBe(gist);
  });

  it('should shorten a long answer', () => {
    expect(shortReason('x'.repeat(200), null)).toHaveLength(48);
  });
});
