import { TabLock } from '../capture/tabLock';
import { FakeLocks, settle } from './capture-fakes';

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
