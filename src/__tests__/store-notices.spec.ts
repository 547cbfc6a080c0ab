import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';

import { StoreHealthNotices } from '../store/notices';
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
    expect(error.message).toContain(
      'the server refused to write .runs/notebooks/a/index.a.json.gz (Permission denied'
    );
    expect(error.message).toContain('Saving is paused');
    expect(error.options.autoClose).toBe(false);
    const [retry, settings] = error.options.actions!;
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
      "This browser's storage (IndexedDB) cannot be used (The quota has been exceeded.)"
    );
  });

  it('should follow the store no more once disposed', () => {
    notices.dispose();
    setHealth(REFUSED);

    expect(shown()).toEqual([]);
  });
});
