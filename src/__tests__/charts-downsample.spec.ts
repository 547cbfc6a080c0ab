import { downsample, downsampleXY, stepPoints } from '../charts/downsample';
import type { XYPoint } from '../charts/downsample';
import type { StoreFormat } from '../store/format';
import { metricNumber } from '../store/overview';
import type { StoredRun } from '../store/reader';

/**
 * A stored metric point at `step` (null: logged without one).
 */
function point(
  value: StoreFormat.MetricValue,
  step: number | null
): StoredRun.MetricPoint {
  return [value, step, 1_700_000_000_000, 1];
}

/**
 * `n` points whose value at step i is `value(i)`.
 */
function series(
  n: number,
  value: (i: number) => StoreFormat.MetricValue
): StoredRun.MetricPoint[] {
  return Array.from({ length: n }, (_, i) => point(value(i), i));
}

function isAscending(points: readonly XYPoint[]): boolean {
  return points.every((p, i) => i === 0 || points[i - 1].x <= p.x);
}

describe('charts/downsample', () => {
  describe('metricNumber()', () => {
    it.each([
      [1.5, 1.5],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity]
    ] as const)('should read %p as %p', (stored, expected) => {
      expect(metricNumber(stored)).toBe(expected);
    });

    it('should read "NaN" as NaN', () => {
      expect(metricNumber('NaN')).toBeNaN();
    });
  });

  describe('stepPoints()', () => {
    it('should use the index when no step was logged', () => {
      const points = stepPoints([
        point(1, null),
        point(2, null),
        point(3, null)
      ]);
      expect(points.map(p => p.x)).toEqual([0, 1, 2]);
    });

    it('should place a point without a step after the previous one', () => {
      const points = stepPoints([point(1, 10), point(2, 20), point(3, null)]);
      expect(points.map(p => p.x)).toEqual([10, 20, 21]);
    });

    it('should sort points logged out of step order, keeping ties in order', () => {
      const points = stepPoints([
        point(1, 5),
        point(2, 1),
        point(3, 5),
        point(4, 3)
      ]);
      expect(points).toEqual([
        { x: 1, y: 2 },
        { x: 3, y: 4 },
        { x: 5, y: 1 },
        { x: 5, y: 3 }
      ]);
    });
  });

  describe('downsample()', () => {
    it.each([0, 1, 2, 5])('should return all %p points when they fit', n => {
      const points = series(n, i => i * 2);
      expect(downsample(points, 10)).toEqual(
        points.map(([value, step]) => ({ x: step, y: value }))
      );
    });

    it.each([2, 3, 10, 101, 1000])(
      'should return at most %p points',
      maxPoints => {
        const result = downsample(
          series(10_000, i => Math.sin(i / 50)),
          maxPoints
        );
        expect(result.length).toBeLessThanOrEqual(maxPoints);
        expect(result.length).toBeGreaterThanOrEqual(2);
      }
    );

    it('should keep the first and last points', () => {
      const result = downsample(
        series(5000, i => i % 7),
        100
      );
      expect(result[0]).toEqual({ x: 0, y: 0 });
      expect(result[result.length - 1]).toEqual({ x: 4999, y: 4999 % 7 });
    });

    it('should keep a one-step spike up and down', () => {
      const result = downsample(
        series(10_000, i => (i === 4321 ? 1000 : i === 7777 ? -1000 : 1)),
        50
      );
      expect(result).toContainEqual({ x: 4321, y: 1000 });
      expect(result).toContainEqual({ x: 7777, y: -1000 });
    });

    it('should return steps in ascending order', () => {
      const result = downsample(
        series(20_000, i => Math.sin(i) * i),
        300
      );
      expect(isAscending(result)).toBe(true);
    });

    it('should keep only points of the input', () => {
      const values = new Set(Array.from({ length: 3000 }, (_, i) => i * i));
      const result = downsample(
        series(3000, i => i * i),
        64
      );
      for (const p of result) {
        expect(values.has(p.y)).toBe(true);
        expect(p.y).toBe(p.x * p.x);
      }
    });

    it('should keep NaN and infinite values visible', () => {
      const result = downsample(
        series(10_000, i =>
          i === 1234
            ? 'Infinity'
            : i === 5678
              ? '-Infinity'
              : i >= 9000
                ? 'NaN'
                : 0.5
        ),
        90
      );
      expect(result.length).toBeLessThanOrEqual(90);
      expect(result).toContainEqual({ x: 1234, y: Infinity });
      expect(result).toContainEqual({ x: 5678, y: -Infinity });
      expect(result.some(p => Number.isNaN(p.y) && p.x >= 9000)).toBe(true);
      expect(Number.isNaN(result[result.length - 1].y)).toBe(true);
      expect(isAscending(result)).toBe(true);
    });

    it('should accept infinities stored as numbers', () => {
      const points = series(1000, () => 1);
      points[500] = [Infinity as number, 500, 0, null];
      expect(downsample(points, 20)).toContainEqual({ x: 500, y: Infinity });
    });

    it('should reduce 100,000 points to the bound and keep the global extremes', () => {
      const n = 100_000;
      const value = (i: number) =>
        Math.exp(-i / 20_000) + 0.05 * Math.sin(i / 3) + (i === 61_803 ? 5 : 0);
      const result = downsample(series(n, value), 1500);

      expect(result.length).toBeLessThanOrEqual(1500);
      expect(result.length).toBeGreaterThan(1400);
      expect(isAscending(result)).toBe(true);
      expect(result[0].x).toBe(0);
      expect(result[result.length - 1].x).toBe(n - 1);
      const all = Array.from({ length: n }, (_, i) => value(i));
      const drawn = result.map(p => p.y);
      expect(Math.max(...drawn)).toBe(Math.max(...all));
      expect(Math.min(...drawn)).toBe(Math.min(...all));
      expect(result).toContainEqual({ x: 61_803, y: value(61_803) });
    });

    it('should take time linear in the points', () => {
      const small = series(100_000, i => Math.sin(i));
      const large = series(500_000, i => Math.sin(i));
      downsample(small, 1000); // warm up
      const t0 = performance.now();
      downsample(small, 1000);
      const t1 = performance.now();
      downsample(large, 1000);
      const t2 = performance.now();
      // Five times the points in well under twenty-five times the time: a
      // quadratic algorithm would not pass, a linear one passes with room for
      // a busy CI machine.
      expect(t2 - t1).toBeLessThan(Math.max(200, (t1 - t0) * 20));
    });
  });

  describe('downsampleXY()', () => {
    it('should treat a bound below 2 as 2', () => {
      const points = Array.from({ length: 10 }, (_, i) => ({ x: i, y: i }));
      expect(downsampleXY(points, 0)).toEqual([
        { x: 0, y: 0 },
        { x: 9, y: 9 }
      ]);
    });
  });
});
