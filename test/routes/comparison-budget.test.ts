// Budgets at POST /comparison over real HTTP: concurrent requests never overspend, the rest get 402.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { openSse } from '../support/sse-client.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    env: { BUDGET_USD_PER_DAY: '0.005', MAX_RUNNING_PER_USER: '50', RATE_LIMIT_MAX: '1000' },
  });
});
afterAll(async () => {
  await stack?.close();
});

/** A promise the scripted models wait on, and the function that lets them go. */
function gated() {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { gate, release };
}

type Usage = { day: { spent: number; reserved: number; limit: number; remaining: number } };

describe('budgets at POST /comparison', () => {
  it('20 concurrent comparisons of one user: the admitted ones fit the limit, the rest get 402 and start nothing', async () => {
    const token = stack.token('budget-user');
    // The models wait until every request was answered, so no settlement frees budget during the burst.
    const { gate, release } = gated();
    stack.scriptModels({ deltas: 5, intervalMs: 5, gate, usage: { inputTokens: 30, outputTokens: 300 } });
    const body = { prompt: 'Estimate me', modelIds: [stack.models.openai.id], maxTokens: 1000 };
    const estimate = await stack.api<{ totals: { maxCost: number } }>('POST', '/comparison/estimate', {
      token,
      body,
    });
    const maxCost = estimate.json.totals.maxCost;
    expect(maxCost).toBeGreaterThan(0);
    const fits = Math.floor(0.005 / maxCost);
    expect(fits).toBeGreaterThan(1);
    expect(fits).toBeLessThan(20);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        stack.api<Created & { code?: string; message?: string }>('POST', '/comparison', { token, body }),
      ),
    );
    release();
    const admitted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 402);
    expect(admitted.length + refused.length).toBe(20);
    // Every reservation fits: never more admitted than the limit holds.
    expect(admitted.length).toBe(fits);
    for (const r of refused) {
      expect(r.json.code).toBe('BUDGET_EXCEEDED');
      expect(r.json.message).toMatch(/limit \$0\.005?0*.*spent.*reserved.*needs/i);
    }
    await Promise.all(admitted.map((a) => openSse(new URL(a.json.streamUrl, stack.url).href).done));
    // Nothing started for the refused ones: one upstream request per admitted comparison.
    expect(stack.providerServer.requests.length).toBe(admitted.length);

    // Settled to the real cost: 30 input and 300 output tokens each, far below the reservation.
    const usage = await stack.api<Usage>('GET', '/me/usage', { token });
    expect(usage.json.day.reserved).toBe(0);
    expect(usage.json.day.spent).toBeLessThanOrEqual(0.005);
    expect(usage.json.day.spent).toBeGreaterThan(0);
    const perComparison = (30 * 0.15 + 300 * 0.6) / 1e6;
    expect(usage.json.day.spent).toBeCloseTo(admitted.length * perComparison, 9);
  });

  it('a comparison of two models reserves each model its own most, the sum the estimate shows, while it runs', async () => {
    const token = stack.token('budget-pair');
    const { gate, release } = gated();
    stack.scriptModels({ deltas: 2, intervalMs: 5, gate, usage: { inputTokens: 10, outputTokens: 20 } });
    const body = {
      prompt: 'Two models, one prompt, counted once',
      modelIds: [stack.models.openai.id, stack.models.anthropic.id],
      maxTokens: 500,
    };
    const estimate = await stack.api<{ models: { maxCost: number }[]; totals: { maxCost: number } }>(
      'POST',
      '/comparison/estimate',
      { token, body },
    );
    const [first, second] = estimate.json.models;
    // Different prices: a reservation that gave both models one model's most would show here.
    expect(first?.maxCost).not.toBe(second?.maxCost);
    const created = await stack.api<Created>('POST', '/comparison', { token, body });
    expect(created.status).toBe(201);
    const during = await stack.api<Usage>('GET', '/me/usage', { token });
    release();
    expect(during.json.day.reserved).toBeCloseTo(estimate.json.totals.maxCost, 9);
    await openSse(new URL(created.json.streamUrl, stack.url).href).done;
    const after = await stack.api<Usage>('GET', '/me/usage', { token });
    expect(after.json.day.reserved).toBe(0);
  });
});
