import {
  capOutputs,
  cutNote,
  omittedNote,
  prepareNotebook,
  prepareOutputs,
  utf8Length
} from '../capture/outputs';
import { REDACTED } from '../capture/redact';

const stream = (text: string | string[]) => ({
  output_type: 'stream',
  name: 'stdout',
  text
});

const display = (data: Record<string, unknown>) => ({
  output_type: 'display_data',
  data,
  metadata: {}
});

describe('capture/outputs', () => {
  describe('#utf8Length()', () => {
    it.each([
      ['', 0],
      ['abc', 3],
      ['é', 2],
      ['€', 3],
      ['🌱', 4],
      ['a\ud800', 4]
    ])('should count %j as %i bytes', (text, bytes) => {
      expect(utf8Length(text)).toBe(bytes);
    });
  });

  describe('#capOutputs()', () => {
    it('should keep outputs under the cap as they are', () => {
      const outputs = [
        stream('loss: 0.1\n'),
        display({ 'text/plain': 'ok', 'image/png': 'iVBOR' })
      ];
      expect(capOutputs(outputs, 100)).toEqual(outputs);
    });

    it('should cut text at the cap and say how large it was', () => {
      const [capped] = capOutputs([stream('0123456789')], 4);
      expect(capped.text).toBe(`0123\n${cutNote(10, 4)}`);
    });

    it('should share the cap among the outputs of an execution, in order', () => {
      const capped = capOutputs(
        [stream('aaaa'), stream('bbbb'), stream('cccc')],
        6
      );
      expect(capped.map(output => output.text)).toEqual([
        'aaaa',
        `bb\n${cutNote(4, 6)}`,
        cutNote(4, 6)
      ]);
    });

    it('should join text given as a list of lines', () => {
      const [capped] = capOutputs([stream(['a\n', 'b\n'])], 100);
      expect(capped.text).toBe('a\nb\n');
    });

    it('should never split a character', () => {
      const [capped] = capOutputs([stream('é€🌱')], 6);
      expect(String(capped.text).startsWith('é€\n')).toBe(true);
    });

    it('should keep an image under the cap', () => {
      const png = 'A'.repeat(50);
      const [capped] = capOutputs([display({ 'image/png': png })], 60);
      expect(capped.data).toEqual({ 'image/png': png });
    });

    it('should replace an image over the cap with a note giving its size', () => {
      const png = 'A'.repeat(500);
      const [capped] = capOutputs(
        [
          display({
            'image/png': png,
            'text/plain': '<Figure size 640x480 with 1 Axes>'
          })
        ],
        100
      );
      expect(capped.data).toEqual({
        'text/plain': `<Figure size 640x480 with 1 Axes>\n${omittedNote('image/png', 500, 100)}`
      });
    });

    it('should cap JSON data whole', () => {
      const big = { values: 'x'.repeat(200) };
      const [capped] = capOutputs([display({ 'application/json': big })], 50);
      expect(capped.data).toEqual({
        'text/plain': omittedNote(
          'application/json',
          utf8Length(JSON.stringify(big)),
          50
        )
      });
    });

    it('should keep the error name and value, and cut a long traceback', () => {
      const [capped] = capOutputs(
        [
          {
            output_type: 'error',
            ename: 'ValueError',
            evalue: 'bad',
            traceback: ['line one', 'line two', 'line three']
          }
        ],
        12
      );
      expect(capped).toEqual({
        output_type: 'error',
        ename: 'ValueError',
        evalue: 'bad',
        traceback: ['line one', `line\n${cutNote(8, 12)}`]
      });
    });

    it('should keep the execution count of a result', () => {
      const [capped] = capOutputs(
        [
          {
            output_type: 'execute_result',
            execution_count: 3,
            data: { 'text/plain': '42' },
            metadata: {}
          }
        ],
        10
      );
      expect(capped.execution_count).toBe(3);
    });
  });

  describe('#prepareOutputs()', () => {
    it('should redact before capping', () => {
      const [prepared] = prepareOutputs(
        [stream('token = ghp_abcdefghijklmnopqrstuvwxyz0123456789\n')],
        1000
      );
      expect(prepared.text).toBe(`token = ${REDACTED}\n`);
    });
  });

  describe('#prepareNotebook()', () => {
    it('should redact sources and cap the outputs of each cell', () => {
      const notebook = {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          {
            cell_type: 'code',
            source: 'api_key = "s3cr3t"\nseed = 69',
            outputs: [stream('x'.repeat(30))],
            metadata: {}
          },
          { cell_type: 'markdown', source: '# Title', metadata: {} }
        ]
      };
      const prepared = prepareNotebook(notebook, 10);
      const cells = prepared.cells as Record<string, unknown>[];
      expect(cells[0].source).toBe(`api_key = "${REDACTED}"\nseed = 69`);
      expect(cells[0].outputs).toEqual([
        stream(`${'x'.repeat(10)}\n${cutNote(30, 10)}`)
      ]);
      expect(cells[1]).toEqual(notebook.cells[1]);
      expect(prepared.nbformat).toBe(4);
    });
  });
});
