import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { REDACTED, redactJSON, redactText } from '../capture/redact';
import { PYTHON } from './python';

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
        `-----BEGIN PRIVATE KEY-----${REDACTED}\n`
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
          ...EXTRA_TEXTS
        ];
        expect(texts.map(redactText)).toEqual(helperRedacts(texts));
      });
    }
  );
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
