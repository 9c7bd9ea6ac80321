// Stand-in until the providers branch lands: the cost of one response from the model's prices and usage.
import type { ModelInfo, Usage } from './types.js';

export function costOf(model: ModelInfo, usage: Usage): number {
  const { inputPerMillion, outputPerMillion, cachedInputPerMillion } = model.pricing;
  const cached = usage.cachedInputTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - cached);
  return (
    (uncached * inputPerMillion +
      cached * (cachedInputPerMillion ?? inputPerMillion) +
      usage.outputTokens * outputPerMillion) /
    1_000_000
  );
}
