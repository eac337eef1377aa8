import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gridPoints } from '../src/model-search.js';
import { DEFAULT_CONFIG, resolveConfig } from '../src/training-config.js';

describe('training config: the search grid', () => {
  test('the default search holds the base grid and shallow, slow trees beside it', () => {
    const points = gridPoints(DEFAULT_CONFIG.grid);
    assert.ok(points.some((p) => p.max_depth === 3 && p.eta === 0.1));
    assert.ok(points.some((p) => p.max_depth === 5 && p.eta === 0.1));
    assert.ok(points.some((p) => p.max_depth === 2 && p.eta === 0.05));
    assert.ok(DEFAULT_CONFIG.maxRounds >= 300, 'slow learning needs room for about 300 early-stopped rounds');
  });

  test('a file grid (one object) replaces the defaults and fills its missing keys from the base grid', () => {
    const config = resolveConfig({ grid: { max_depth: [4] } }, {});
    assert.deepEqual(
      gridPoints(config.grid).map((p) => [p.max_depth, p.eta, p.min_child_weight]),
      [
        [4, 0.1, 1],
        [4, 0.1, 10],
      ],
    );
  });

  test('a list of grids is searched as their union, a shared point once', () => {
    const config = resolveConfig(
      {
        grid: [
          { max_depth: [2, 3], min_child_weight: [1] },
          { max_depth: [3], min_child_weight: [1, 5] },
        ],
      },
      {},
    );
    const points = gridPoints(config.grid).map((p) => `${p.max_depth}/${p.min_child_weight}`);
    assert.deepEqual(points, ['2/1', '3/1', '3/5']);
  });

  test('a bad grid names the setting', () => {
    assert.throws(() => resolveConfig({ grid: [{ max_depth: [0] }] }, {}), /grid/);
    assert.throws(() => resolveConfig({ grid: [] }, {}), /grid/);
  });
});
