// sessionMetrics with unknown costs: they add nothing to the total and make costComplete false.
import { describe, expect, it } from 'vitest';
import { sessionMetrics } from '../../src/services/metrics.js';

const response = (cost: number | null, responseTimeMs = 100) => ({
  status: 'completed',
  inputTokens: 10,
  outputTokens: 5,
  cost,
  responseTimeMs,
});

describe('sessionMetrics', () => {
  it('sums known costs and says the total is complete', () => {
    expect(sessionMetrics([response(0.1), response(0.2, 300)])).toEqual({
      totalTokens: 30,
      totalCost: 0.3,
      averageResponseTime: 200,
      costComplete: true,
    });
  });

  it('never counts an unknown cost as 0 silently: the total is a lower bound, costComplete false', () => {
    expect(sessionMetrics([response(0.1), response(null)])).toMatchObject({
      totalCost: 0.1,
      costComplete: false,
    });
  });
});
