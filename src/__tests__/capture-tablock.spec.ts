import { Awareness } from 'y-protocols/awareness';
import { Doc } from 'yjs';

import { CollaboratorsLock, LOCKS_FIELD, TabLock } from '../capture/tabLock';
import { connectAwareness, FakeLocks, settle } from './capture-fakes';

describe('TabLock', () => {
  describe('#acquire()', () => {
    it('should be granted at once without the Web Locks API', async () => {
      const lock = new TabLock('a', null);
      const waiting = jest.fn();
      expect(await lock.acquire(waiting)).toBe(true);
      expect(waiting).not.toHaveBeenCalled();
      lock.dispose();
    });

    it('should wait while another holds it, until that one lets go', async () => {
      const locks = new FakeLocks();
      const first = new TabLock('a', locks);
      const second = new TabLock('a', locks);
      const waiting = jest.fn();
      expect(await first.acquire(() => undefined)).toBe(true);
      let held: boolean | null = null;
      void second.acquire(waiting).then(value => (held = value));
      await settle();
      expect(waiting).toHaveBeenCalledTimes(1);
      expect(held).toBeNull();

      first.dispose();
      await settle();
      expect(held).toBe(true);
      second.dispose();
      await settle();
      expect(locks.isHeld('a')).toBe(false);
    });

    it('should stop waiting when disposed', async () => {
      const locks = new FakeLocks();
      const first = new TabLock('a', locks);
      const second = new TabLock('a', locks);
      await first.acquire(() => undefined);
      const held = second.acquire(() => undefined);
      await settle();
      second.dispose();
      expect(await held).toBe(false);
      first.dispose();
    });
  });
});

describe('CollaboratorsLock', () => {
  /** How long a page waits to hear the others before it decides. */
  const SETTLE = 50;
  /** Two users' pages on one shared notebook, each in its own browser. */
  let pages: Awareness[];
  let disconnect: () => void;
  const locks: CollaboratorsLock[] = [];

  const lockOf = (page: Awareness) => {
    const lock = new CollaboratorsLock('a', null, page, SETTLE);
    locks.push(lock);
    return lock;
  };
  const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

  beforeEach(() => {
    pages = [new Awareness(new Doc()), new Awareness(new Doc())];
    disconnect = connectAwareness(pages[0], pages[1]);
  });

  afterEach(() => {
    locks.splice(0).forEach(lock => lock.dispose());
    disconnect();
    pages.forEach(page => page.destroy());
  });

  describe('#acquire()', () => {
    it('should be held by one page of two that want it at once: the one with the lower client id', async () => {
      const held: boolean[] = [];
      const waiting = [jest.fn(), jest.fn()];
      const [low, high] =
        pages[0].clientID < pages[1].clientID ? [0, 1] : [1, 0];
      void lockOf(pages[high])
        .acquire(waiting[high])
        .then(value => (held[high] = value));
      void lockOf(pages[low])
        .acquire(waiting[low])
        .then(value => (held[low] = value));
      await sleep(SETTLE * 3);

      expect(held[low]).toBe(true);
      expect(held[high]).toBeUndefined();
      expect(waiting[low]).not.toHaveBeenCalled();
      expect(waiting[high]).toHaveBeenCalledTimes(1);
    });

    it('should not be taken from the page that holds it by a page that comes later', async () => {
      const [low, high] =
        pages[0].clientID < pages[1].clientID ? [0, 1] : [1, 0];
      expect(await lockOf(pages[high]).acquire(() => undefined)).toBe(true);
      let held: boolean | null = null;
      const waiting = jest.fn();
      void lockOf(pages[low])
        .acquire(waiting)
        .then(value => (held = value));
      await sleep(SETTLE * 3);

      expect(held).toBeNull();
      expect(waiting).toHaveBeenCalledTimes(1);
    });

    it('should pass to a waiting page when the page that holds it lets go', async () => {
      const first = lockOf(pages[0]);
      expect(await first.acquire(() => undefined)).toBe(true);
      let held: boolean | null = null;
      void lockOf(pages[1])
        .acquire(() => undefined)
        .then(value => (held = value));
      await sleep(SETTLE * 3);
      expect(held).toBeNull();

      first.dispose();
      await sleep(SETTLE * 3);

      expect(held).toBe(true);
      expect(
        pages[1].getStates().get(pages[0].clientID)?.[LOCKS_FIELD]
      ).toEqual({});
    });

    it('should stop waiting when disposed', async () => {
      expect(await lockOf(pages[0]).acquire(() => undefined)).toBe(true);
      const second = lockOf(pages[1]);
      const held = second.acquire(() => undefined);
      await sleep(SETTLE * 3);
      second.dispose();

      expect(await held).toBe(false);
    });

    it("should wait for the browser's own tab lock first", async () => {
      const tabs = new FakeLocks();
      const first = new CollaboratorsLock('a', tabs, pages[0], SETTLE);
      const second = new CollaboratorsLock('a', tabs, pages[0], SETTLE);
      locks.push(first, second);
      expect(await first.acquire(() => undefined)).toBe(true);
      const waiting = jest.fn();
      void second.acquire(waiting);
      await settle();

      expect(waiting).toHaveBeenCalledTimes(1);
      expect(tabs.isHeld('a')).toBe(true);
    });
  });
});
