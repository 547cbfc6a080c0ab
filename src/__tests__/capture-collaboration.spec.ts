import { Awareness } from 'y-protocols/awareness';
import { Doc } from 'yjs';

import type { WriterNotice } from '../capture/collaboration';
import { connectAwareness } from './capture-fakes';
import {
  AWARENESS_FIELD,
  CollaborationLink,
  readNotice
} from '../capture/collaboration';

/**
 * Two pages on one shared document: real awarenesses, connected as the
 * collaboration server connects them.
 */
function sharedAwareness(): [Awareness, Awareness, () => void] {
  const first = new Awareness(new Doc());
  const second = new Awareness(new Doc());
  const disconnect = connectAwareness(first, second);
  return [
    first,
    second,
    () => {
      disconnect();
      first.destroy();
      second.destroy();
    }
  ];
}

const notice = (stored: number, run = 'run-1'): WriterNotice => ({
  session: 'session-1',
  run: {
    id: run,
    name: 'brave-otter-1',
    status: 'running',
    paramsCount: 1,
    metricsCount: 2
  },
  stored
});

describe('CollaborationLink', () => {
  let writerAwareness: Awareness;
  let readerAwareness: Awareness;
  let destroy: () => void;
  let writer: CollaborationLink;
  let reader: CollaborationLink;
  let heard: CollaborationLink.INoticed[];

  beforeEach(() => {
    [writerAwareness, readerAwareness, destroy] = sharedAwareness();
    writer = new CollaborationLink(writerAwareness);
    reader = new CollaborationLink(readerAwareness);
    heard = [];
    reader.noticed.connect((_, noticed) => heard.push(noticed));
  });

  afterEach(() => {
    writer.dispose();
    reader.dispose();
    destroy();
  });

  describe('#publish()', () => {
    it("should tell the other page the writer's notice, and when its writes landed", () => {
      writer.publish(notice(0));
      writer.publish(notice(1));
      // The run changed without a write landing.
      writer.publish({
        ...notice(1),
        run: { ...notice(1).run!, status: 'finished' }
      });

      expect(heard).toEqual([
        { client: writerAwareness.clientID, notice: notice(0), landed: true },
        { client: writerAwareness.clientID, notice: notice(1), landed: true },
        {
          client: writerAwareness.clientID,
          notice: {
            ...notice(1),
            run: { ...notice(1).run!, status: 'finished' }
          },
          landed: false
        }
      ]);
    });

    it('should say nothing again for the same notice', () => {
      writer.publish(notice(1));
      writer.publish(notice(1));

      expect(heard).toHaveLength(1);
    });

    it("should not hear the page's own notice", () => {
      const own: CollaborationLink.INoticed[] = [];
      writer.noticed.connect((_, noticed) => own.push(noticed));

      writer.publish(notice(1));

      expect(own).toEqual([]);
      expect(writerAwareness.getLocalState()?.[AWARENESS_FIELD]).toEqual(
        notice(1)
      );
    });

    it('should withdraw the notice of a page that stopped writing', () => {
      writer.publish(notice(1));
      writer.publish(null);
      // A page that writes again is heard as new: it may have written since.
      writer.publish(notice(1));

      expect(heard.map(noticed => noticed.landed)).toEqual([true, true]);
      expect(readerAwareness.getStates().get(writerAwareness.clientID)).toEqual(
        expect.objectContaining({ [AWARENESS_FIELD]: notice(1) })
      );
    });
  });

  describe('#dispose()', () => {
    it('should withdraw the notice and stop listening', () => {
      writer.publish(notice(1));
      reader.dispose();
      writer.dispose();

      expect(
        readerAwareness.getStates().get(writerAwareness.clientID)?.[
          AWARENESS_FIELD
        ]
      ).toBeNull();
      expect(heard).toHaveLength(1);
    });
  });
});

describe('#readNotice()', () => {
  it.each([
    ['nothing', null],
    ['a string', 'stored'],
    ['no stored count', { session: 's', run: null }],
    ['a session that is not a string', { session: 3, run: null, stored: 1 }]
  ])('should refuse %s', (_, value) => {
    expect(readNotice(value)).toBeNull();
  });

  it('should keep a notice without a run, or with a run it cannot read', () => {
    expect(readNotice({ session: null, run: null, stored: 2 })).toEqual({
      session: null,
      run: null,
      stored: 2
    });
    expect(
      readNotice({
        session: 's',
        run: { id: 'r', status: 'dancing' },
        stored: 2
      })
    ).toEqual({ session: 's', run: null, stored: 2 });
  });
});
