import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { cutNote, prepareOutputs } from '../capture/outputs';
import { REDACTED, redactJSON, redactText } from '../capture/redact';
import { PYTHON } from './python';

// The real redaction, watched: what the outputs hand it shows that they cap
// before they redact.
jest.mock('../capture/redact', () => {
  const actual = jest.requireActual('../capture/redact');
  return { ...actual, redactText: jest.fn(actual.redactText) };
});

/**
 * The corpus the kernel helper is tested against too, so both sides redact
 * alike (docs/CAPTURE.md).
 */
const CORPUS = path.join(
  __dirname,
  '..',
  '..',
  'jupyterlab_runs',
  'tests',
  'secrets_corpus.json'
);

type CorpusCase =
  | { text: string; must_not_contain: string | string[] }
  | { text: string; unchanged: true };

function readCorpus(): CorpusCase[] {
  if (!fs.existsSync(CORPUS)) {
    return [];
  }
  const corpus = JSON.parse(fs.readFileSync(CORPUS, 'utf8'));
  return Array.isArray(corpus) ? corpus : corpus.cases;
}

describe('capture/redact', () => {
  describe('#redactText()', () => {
    it.each([
      [
        'an AWS access key id',
        'key AKIAIOSFODNN7EXAMPLE here',
        'AKIAIOSFODNN7EXAMPLE'
      ],
      [
        'a GitHub token',
        'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
        'ghp_abcdefghijklmnopqrstuvwxyz0123456789'
      ],
      [
        'a fine-grained GitHub token',
        'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
        '11ABCDEFG0123456789'
      ],
      ['a GitLab token', 'glpat-abcdefghij0123456789', 'abcdefghij0123456789'],
      [
        'a bearer token',
        'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig',
        'eyJhbGciOiJIUzI1NiJ9'
      ],
      [
        'a private key block',
        '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
        'MIIEow'
      ],
      [
        'the password of a URL',
        'postgres://ada:hunter2@db.example.com/runs',
        'hunter2'
      ],
      [
        'a quoted api_key assignment',
        'api_key = "sk-live-1234"',
        'sk-live-1234'
      ],
      ['a mapping entry', "{'password': 'hunter2', 'user': 'ada'}", 'hunter2'],
      ['a shell variable', 'GITHUB_TOKEN=abc123def', 'abc123def'],
      ['a printed secret', 'client_secret: s3cr3t-value', 's3cr3t-value']
    ])('should redact %s', (_, text, secret) => {
      const redacted = redactText(text);
      expect(redacted).not.toContain(secret);
      expect(redacted).toContain(REDACTED);
    });

    it.each([
      ['a plain metric line', 'validation-rmse: 6.61'],
      ['a seed assignment', 'seed = 69'],
      ['a URL without a password', 'https://ada@example.com/repo.git'],
      ['a word that merely starts like a key', 'AKIA is a prefix'],
      [
        'a tokenizer count',
        'tokens processed: 1024'.replace('tokens', 'words')
      ],
      ['an empty text', '']
    ])('should leave %s unchanged', (_, text) => {
      expect(redactText(text)).toBe(text);
    });

    it('should keep what names the secret, its quotes, and the URL around a password', () => {
      expect(redactText('api_key = "abc"')).toBe(`api_key = "${REDACTED}"`);
      expect(redactText("token: 'abc'")).toBe(`token: '${REDACTED}'`);
      expect(redactText('https://ada:pw@host/x')).toBe(
        `https://ada:${REDACTED}@host/x`
      );
      expect(redactText('Bearer abcd.efgh')).toBe(`Bearer ${REDACTED}`);
    });

    it.each([
      ['a constant', 'token = None'],
      ['a call', 'password = getpass()'],
      ['a lookup', 'api_key = os.environ[name]']
    ])('should leave code that assigns %s to a secret name', (_, text) => {
      expect(redactText(text)).toBe(text);
    });

    it('should redact a private key block cut short, up to the end', () => {
      expect(redactText('-----BEGIN PRIVATE KEY-----\nMIIEvQ\nabc\n')).toBe(
        `-----BEGIN PRIVATE KEY-----${REDACTED}`
      );
    });
  });

  describe('#redactJSON()', () => {
    it('should redact every string of an output, but not image data', () => {
      const png = 'iVBORw0KGgoAKIAIOSFODNN7EXAMPLE';
      const output = {
        output_type: 'display_data',
        data: {
          'text/plain': ['token = abc123\n', 'ok'],
          'image/png': png,
          'application/json': {
            nested: { api_key: 'x', note: 'AKIAIOSFODNN7EXAMPLE' }
          }
        },
        metadata: {}
      };
      const redacted = redactJSON(output);
      expect(redacted.data['text/plain']).toEqual([
        `token = ${REDACTED}\n`,
        'ok'
      ]);
      expect(redacted.data['image/png']).toBe(png);
      expect(JSON.stringify(redacted.data['application/json'])).not.toContain(
        'AKIAIOSFODNN7EXAMPLE'
      );
      expect(output.data['text/plain']).toEqual(['token = abc123\n', 'ok']);
    });
  });

  // The helper's corpus is the reference; until it exists the table above is
  // all there is.
  const corpus = readCorpus();
  (corpus.length > 0 ? describe : describe.skip)(
    'secrets corpus shared with the kernel helper',
    () => {
      it.each(
        (corpus.length > 0
          ? corpus
          : [{ text: '', unchanged: true } as CorpusCase]
        ).map(
          entry => [JSON.stringify(entry.text).slice(0, 60), entry] as const
        )
      )('should redact like the helper: %s', (_, entry: CorpusCase) => {
        const redacted = redactText(entry.text);
        if ('unchanged' in entry) {
          expect(redacted).toBe(entry.text);
        } else {
          expect(redacted).toContain(REDACTED);
          for (const secret of [entry.must_not_contain].flat()) {
            expect(redacted).not.toContain(secret);
          }
        }
      });

      it('should give, character for character, what the helper gives', () => {
        const texts = [
          ...corpus.map(entry => entry.text),
          ...corpus.map(entry => `  ${entry.text}\n${entry.text} `),
          ...EXTRA_TEXTS,
          // Every rule at the edges of its bounds, on both sides.
          ...ADVERSARIAL.map(([, unit]) => repeated(unit, 3000))
        ];
        expect(texts.map(redactText)).toEqual(helperRedacts(texts));
      });
    }
  );
});

/**
 * The least CPU time of a few runs of `redactText(text)`, in milliseconds.
 */
function bestTime(text: string, repeats = 7): number {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const started = process.cpuUsage();
    redactText(text);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
    if (best > 1000) {
      break; // quadratic patterns: one slow run says enough
    }
  }
  return best;
}

function repeated(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/**
 * Texts that made the old patterns backtrack over long runs, and others
 * aimed at each kind of rule (the helper's test uses the same).
 */
const ADVERSARIAL: [string, string][] = [
  ['one long word', 'a'],
  ['a hex digest', '0123456789abcdef'],
  ['a=a=a=...', 'a='],
  ['token repeated', 'token'],
  ['whitespace', ' \t'],
  ['token= repeated', 'token='],
  ['password repeated', 'password'],
  ['key= repeated', 'key='],
  ['ghp_ repeated', 'ghp_'],
  ['sk- repeated', 'sk-'],
  ['URL starts', '://a:'],
  ['bearer repeated', 'bearer '],
  ['private key headers', '-----BEGIN PRIVATE KEY-----'],
  ['dashes', '-'],
  ['JWT starts', 'eyJ.'],
  ['--token repeated', '--token '],
  ['upper-case env names', 'A_KEY'],
  ['AKIA repeated', 'AKIA'],
  ['mysql -p', 'mysql -p'],
  ['?sig=', '?sig='],
  ['%env', '%env A '],
  ['api_key: str =', 'api_key: str ='],
  ['quotes', "token='"],
  ['non-ASCII', 'héllo wÖrld '],
  ['digits and :AA', '1234567890:AA']
];

describe('capture/redact in linear time', () => {
  // Twice the word that took the old patterns 15 s in the helper.
  const SIZE = 32000;

  it.each(ADVERSARIAL)(
    'should take about twice the time for twice the text: %s',
    (_, unit) => {
      // Linear gives 2, quadratic 4; below a few milliseconds fixed costs
      // decide. A busy machine may spoil one measure; a quadratic rule fails
      // every one.
      let [base, grown] = [0, Infinity];
      for (let i = 0; i < 3 && grown >= Math.max(3 * base, 3); i++) {
        base = bestTime(repeated(unit, SIZE));
        grown = bestTime(repeated(unit, 2 * SIZE));
      }
      expect(grown).toBeLessThan(Math.max(3 * base, 3));
    }
  );
});

describe('capture/outputs caps before it redacts', () => {
  const stream = (text: string) => ({
    output_type: 'stream',
    name: 'stdout',
    text
  });

  it('should store a 64,000-character word without scanning it all', () => {
    const scanned = jest.mocked(redactText);
    scanned.mockClear();
    const [prepared] = prepareOutputs([stream('a'.repeat(64000))], 1024);
    expect(prepared.text).toBe(`${'a'.repeat(1024)}\n${cutNote(64000, 1024)}`);
    // What is kept, and a margin for a secret the cap cuts through.
    const longest = Math.max(
      ...scanned.mock.calls.map(([text]) => text.length)
    );
    expect(longest).toBeLessThanOrEqual(1024 + 8192);
  });

  it('should redact a secret the cap cuts through, whole', () => {
    const token = 'ghp_Rn5Xq8Lw2Zk7Vt4Pm9Yb3Hc6Js1Dg0RunsQx';
    const text = `${'x'.repeat(1000)} ${token} ${'y'.repeat(100000)}`;
    const [prepared] = prepareOutputs([stream(text)], 1010);
    expect(prepared.text).not.toContain(token.slice(0, 8));
    expect(prepared.text).toContain(cutNote(text.length, 1010));
  });

  it('should redact the fields of an output it does not cap', () => {
    const [prepared] = prepareOutputs(
      [
        {
          output_type: 'error',
          ename: 'HTTPError',
          evalue: 'password=hunter2 refused',
          traceback: ['token = ghp_Rn5Xq8Lw2Zk7Vt4Pm9Yb3Hc6Js1Dg0RunsQx']
        }
      ],
      1000
    );
    expect(JSON.stringify(prepared)).not.toMatch(/hunter2|ghp_Rn5/);
  });
});

/**
 * Texts at the edges of the patterns, compared with the helper as well.
 */
const EXTRA_TEXTS = [
  'token = None',
  'password = getpass()',
  'key = os.environ[k]',
  'max_tokens = 512',
  'TOKENIZERS_PARALLELISM=false',
  'api_key: str = "abc"',
  'if token == "abc": pass',
  'https://example.com/?token=abc&x=1',
  '-----BEGIN PRIVATE KEY-----\nMIIE\n',
  '-----BEGIN PRIVATE KEY-----\nMIIE',
  'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
  'Bearer short',
  "{'password': 'hunter2', 'user': 'ada'}",
  'secret=[1, 2]',
  ''
];

/**
 * What the helper's `redact_text` makes of each text, run by Debian's Python
 * on the helper's own source.
 */
function helperRedacts(texts: readonly string[]): string[] {
  const script = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("helper", sys.argv[1])
helper = importlib.util.module_from_spec(spec)
spec.loader.exec_module(helper)
texts = json.loads(sys.stdin.read())
sys.stdout.write(json.dumps([helper.redact_text(text) for text in texts]))
`;
  const helper = path.join(
    __dirname,
    '..',
    '..',
    'jupyterlab_runs',
    'helper.py'
  );
  return JSON.parse(
    execFileSync(PYTHON, ['-c', script, helper], {
      input: JSON.stringify(texts),
      encoding: 'utf8'
    })
  );
}
