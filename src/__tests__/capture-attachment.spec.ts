import { PromiseDelegate } from '@lumino/coreutils';

import { COMM_TARGET, KernelAttachment } from '../capture/attachment';
import type { HelperConfig } from '../capture/bootstrap';
import { bootstrapCode, helperConfig } from '../capture/bootstrap';
import { DEFAULT_CONFIG } from '../settings/config';
import type { Runs } from '../tokens';
import {
  FakeKernel,
  FakeRunStore,
  FakeSessionContext,
  settle
} from './capture-fakes';

const PATH = 'analysis/train.ipynb';
const HELLO = { type: 'hello', after: 0, session: 'session-1' };
const SOURCE = 'def attach(config):\n    return config\n';

const events = (...seqs: number[]): Runs.KernelEvent[] =>
  seqs.map(seq => ({
    seq,
    time: 1700000000 + seq,
    kind: seq === 1 ? 'session' : 'metric',
    ...(seq === 1 ? { session: 'session-1' } : { run: 'run-1', name: 'rmse' })
  }));

describe('KernelAttachment', () => {
  let kernel: FakeKernel;
  let context: FakeSessionContext;
  let store: FakeRunStore;
  let tracking: boolean;
  let attachment: KernelAttachment;
  let endings: KernelAttachment.Ending[];

  const config = (): HelperConfig =>
    helperConfig(DEFAULT_CONFIG, PATH, tracking);

  function attach(): KernelAttachment {
    attachment = new KernelAttachment({
      sessionContext: context.asSessionContext(),
      store,
      helperSource: async () => SOURCE,
      config
    });
    endings = [];
    attachment.kernelEnded.connect((_, ending) => endings.push(ending));
    return attachment;
  }

  beforeEach(() => {
    kernel = new FakeKernel();
    context = new FakeSessionContext(kernel);
    store = new FakeRunStore();
    tracking = true;
  });

  afterEach(() => {
    attachment?.dispose();
  });

  describe('#constructor()', () => {
    it('should send the bootstrap once, silently, then open the comm and say hello', async () => {
      attach();
      await settle();

      expect(kernel.executed).toEqual([
        {
          code: bootstrapCode(config(), SOURCE),
          silent: true,
          store_history: false,
          allow_stdin: false,
          stop_on_error: false
        }
      ]);
      expect(kernel.comms).toHaveLength(1);
      expect(kernel.lastComm?.targetName).toBe(COMM_TARGET);
      expect(kernel.lastComm?.sent).toEqual([HELLO]);
      expect(attachment.state).toBe('recording');
    });

    it('should ask only for the events the store lacks, as after a page reload', async () => {
      store.lastSeqs.set(`${PATH}/session-1`, 41);
      kernel.activeRun = {
        id: 'run-7',
        name: 'calm-heron-7',
        params: { seed: 69 }
      };
      attach();
      const welcomed: unknown[] = [];
      attachment.welcomed.connect((_, run) => welcomed.push(run));
      await settle();

      expect(kernel.lastComm?.sent).toEqual([
        { type: 'hello', after: 41, session: 'session-1' }
      ]);
      expect(attachment.session).toBe('session-1');
      expect(welcomed).toEqual([
        {
          id: 'run-7',
          name: 'calm-heron-7',
          params: { seed: 69 },
          announced: true
        }
      ]);
    });

    it('should ask for everything buffered when the helper has no session yet', async () => {
      kernel.session = null;
      attach();
      await settle();
      expect(kernel.lastComm?.sent).toEqual([
        { type: 'hello', after: 0, session: null }
      ]);
    });

    it('should send nothing to a kernel that is not Python, and record it from the frontend', async () => {
      kernel = new FakeKernel('R');
      context = new FakeSessionContext(kernel);
      attach();
      await settle();

      expect(kernel.executed).toEqual([]);
      expect(kernel.comms).toEqual([]);
      expect(attachment.state).toBe('recording');
      expect(store.events[0].events[0]).toMatchObject({
        seq: 1,
        kind: 'session',
        env: { language: { name: 'R' } }
      });
    });

    it('should send nothing while the notebook is not tracked', async () => {
      tracking = false;
      attach();
      await settle();

      expect(kernel.executed).toEqual([]);
      expect(attachment.state).toBe('off');
    });

    it('should wait for a kernel that is still starting', async () => {
      kernel.status = 'starting';
      attach();
      await settle();
      expect(kernel.executed).toEqual([]);

      context.setStatus('idle');
      await settle();
      expect(kernel.executed).toHaveLength(1);
    });

    it('should attach a connected kernel that has reported no status yet', async () => {
      // jupyter_server 2 answers a new connection's kernel_info itself: a
      // fresh kernel nobody has run anything in stays `unknown`.
      kernel.status = 'unknown';
      attach();
      await settle();

      expect(kernel.executed).toHaveLength(1);
      expect(attachment.state).toBe('recording');
    });

    it('should open no comm when the bootstrap fails', async () => {
      kernel.reply = { status: 'error', ename: 'SyntaxError', evalue: 'bad' };
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {
        /* expected */
      });
      attach();
      await settle();

      expect(kernel.comms).toEqual([]);
      expect(attachment.state).toBe('failed');
      expect(warn).toHaveBeenCalled();
      warn.mockRestore();
    });

    it('should attach again, without a warning, after an interrupted bootstrap', async () => {
      kernel.reply = {
        status: 'error',
        ename: 'KeyboardInterrupt',
        evalue: ''
      };
      const warn = jest.spyOn(console, 'warn');
      attach();
      await settle();
      expect(kernel.comms).toEqual([]);
      expect(attachment.state).toBe('waiting');

      kernel.reply = { status: 'ok' };
      context.setStatus('idle');
      await settle();

      expect(kernel.executed).toHaveLength(2);
      expect(kernel.comms).toHaveLength(1);
      expect(warn).not.toHaveBeenCalled();
      warn.mockRestore();
    });
  });

  describe('#eventsReceived', () => {
    it('should store events, then acknowledge them once written', async () => {
      attach();
      await settle();
      const received: Runs.KernelEvent[][] = [];
      attachment.eventsReceived.connect((_, batch) =>
        received.push([...batch])
      );
      store.pendingFlush = new PromiseDelegate();

      kernel.lastComm!.receive({ type: 'events', events: events(1, 2, 3) });
      await settle();

      expect(store.events).toEqual([{ path: PATH, events: events(1, 2, 3) }]);
      expect(received).toEqual([events(1, 2, 3)]);
      expect(kernel.lastComm!.sent).toEqual([HELLO]);

      store.pendingFlush.resolve();
      await settle();
      expect(kernel.lastComm!.sent).toContainEqual({ type: 'ack', upto: 3 });
      expect(attachment.session).toBe('session-1');
    });

    it('should store once what a tab that handed back the writer had stored', async () => {
      attach();
      await settle();
      // Another tab wrote, then reloaded: it had stored up to 3, not yet
      // acknowledged, and the helper sends those again to this tab.
      kernel.lastComm!.receive({ type: 'writer', writer: false });
      store.lastSeqs.set(`${PATH}/session-1`, 3);
      kernel.lastComm!.receive({ type: 'writer', writer: true });
      kernel.lastComm!.receive({
        type: 'events',
        events: events(1, 2, 3, 4, 5)
      });
      await settle();

      expect(store.events).toEqual([{ path: PATH, events: events(4, 5) }]);
      expect(kernel.lastComm!.sent).toContainEqual({ type: 'ack', upto: 5 });
    });

    it('should not acknowledge what the store failed to write', async () => {
      attach();
      await settle();
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {
        /* expected */
      });
      store.pendingFlush = new PromiseDelegate();
      store.pendingFlush.reject(new Error('server unreachable'));

      kernel.lastComm!.receive({ type: 'events', events: events(1) });
      await settle();

      expect(kernel.lastComm!.sent).toEqual([HELLO]);
      warn.mockRestore();
    });

    it('should ignore malformed messages', async () => {
      attach();
      await settle();
      kernel.lastComm!.receive({ type: 'events', events: [{ kind: 'x' }, 3] });
      kernel.lastComm!.receive({ type: 'unknown' });
      await settle();
      expect(store.events).toEqual([]);
    });
  });

  describe('kernel lifecycle', () => {
    it('should attach the restarted kernel again and report the restart', async () => {
      attach();
      await settle();
      const first = kernel.lastComm!;

      context.setStatus('restarting');
      context.setStatus('idle');
      await settle();

      expect(endings).toEqual(['restarted']);
      expect(first.isDisposed).toBe(true);
      expect(kernel.executed).toHaveLength(2);
      expect(kernel.comms).toHaveLength(2);
      expect(kernel.lastComm!.sent).toEqual([HELLO]);
    });

    it("should store a restarted kernel's events from 1 again after a writer hand-off", async () => {
      attach();
      await settle();
      kernel.lastComm!.receive({ type: 'writer', writer: false });
      store.lastSeqs.set(`${PATH}/session-1`, 40);
      kernel.lastComm!.receive({ type: 'writer', writer: true });
      await settle();

      context.setStatus('restarting');
      context.setStatus('idle');
      await settle();
      kernel.lastComm!.receive({ type: 'events', events: events(1, 2) });
      await settle();

      expect(store.events).toEqual([{ path: PATH, events: events(1, 2) }]);
    });

    it('should report a kernel that died and came back', async () => {
      attach();
      await settle();
      context.setStatus('autorestarting');
      context.setStatus('idle');
      await settle();
      expect(endings).toEqual(['died']);
      expect(kernel.executed).toHaveLength(2);
    });

    it('should report as died a kernel the server restarted after it died', async () => {
      attach();
      await settle();
      // The order of @jupyterlab/services' kernel connection on the server's
      // `restarting` status: `autorestarting` is queued, then `restarting`
      // is reported at once.
      void Promise.resolve().then(() => context.setStatus('autorestarting'));
      context.setStatus('restarting');
      await settle();
      context.setStatus('idle');
      await settle();
      expect(endings).toEqual(['died']);
      expect(kernel.executed).toHaveLength(2);
    });

    it('should report a kernel shut down, and not attach it again', async () => {
      attach();
      await settle();
      context.setStatus('dead');
      await settle();
      expect(endings).toEqual(['closed']);
      expect(kernel.executed).toHaveLength(1);
    });

    it.each([
      ['is reported dead', () => context.setStatus('dead')],
      ['is removed from the session', () => context.changeKernel(null)]
    ])(
      'should report as died a kernel that %s while its connection is lost',
      async (_, end) => {
        attach();
        await settle();
        // The server was killed: the websocket drops, and the restarted
        // server no longer knows the kernel.
        context.setConnectionStatus('connecting');
        end();
        await settle();
        expect(endings).toEqual(['died']);
      }
    );

    it('should report a kernel shut down after a reconnection as closed', async () => {
      attach();
      await settle();
      context.setConnectionStatus('connecting');
      context.setConnectionStatus('connected');
      await settle();
      context.setStatus('dead');
      await settle();
      expect(endings).toEqual(['closed']);
    });

    it('should attach a new kernel when the notebook changes kernel', async () => {
      attach();
      await settle();
      const next = new FakeKernel();
      context.changeKernel(next);
      await settle();
      expect(endings).toEqual(['closed']);
      expect(next.executed).toHaveLength(1);
      expect(next.comms).toHaveLength(1);
    });

    it('should resume from what the store holds after a reconnection', async () => {
      attach();
      await settle();
      kernel.lastComm!.receive({ type: 'events', events: events(1, 2) });
      await settle();
      store.lastSeqs.set(`${PATH}/session-1`, 2);

      context.setConnectionStatus('connecting');
      context.setConnectionStatus('connected');
      await settle();

      expect(endings).toEqual([]);
      expect(kernel.comms).toHaveLength(2);
      expect(kernel.comms[0].closed).toBe(true);
      expect(kernel.lastComm!.sent).toEqual([
        { type: 'hello', after: 2, session: 'session-1' }
      ]);
    });
  });

  describe('#configChanged()', () => {
    it('should attach once tracking is turned on', async () => {
      tracking = false;
      attach();
      await settle();
      tracking = true;
      attachment.configChanged();
      await settle();
      expect(kernel.executed).toHaveLength(1);
      expect(attachment.state).toBe('recording');
    });

    it('should send the new configuration to an attached helper', async () => {
      attach();
      await settle();
      tracking = false;
      attachment.configChanged();
      expect(kernel.lastComm!.sent).toContainEqual({
        type: 'config',
        ...config()
      });
      expect(kernel.executed).toHaveLength(1);
    });
  });

  describe('#startRun()', () => {
    it('should ask the helper for a new run', async () => {
      attach();
      await settle();
      attachment.startRun('sweep');
      attachment.endRun();
      expect(kernel.lastComm!.sent.slice(1)).toEqual([
        { type: 'start_run', name: 'sweep' },
        { type: 'end_run' }
      ]);
    });
  });

  describe('#dispose()', () => {
    it('should close the comm and stop following the kernel', async () => {
      attach();
      await settle();
      const comm = kernel.lastComm!;
      attachment.dispose();
      attachment.dispose();
      context.setStatus('restarting');
      context.setStatus('idle');
      await settle();
      expect(comm.closed).toBe(true);
      expect(kernel.executed).toHaveLength(1);
      expect(endings).toEqual([]);
    });
  });
});
