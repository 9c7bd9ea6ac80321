// The catalogue: unique ids, the models clients rely on, and a price source on every row.
import { describe, expect, it } from 'vitest';
import { catalog, defaultModels } from '../../src/providers/catalog.js';
import type { ModelInfo } from '../../src/providers/types.js';

describe('model catalogue', () => {
  it('has unique ids and the models earlier clients and the brief name', () => {
    const ids = catalog.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'gpt-3.5-turbo',
      'gpt-4',
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'claude-3-sonnet-20240229',
      'claude-3-haiku-20240307',
      'claude-3-5-haiku',
      'claude-haiku-4-5',
      'claude-sonnet-4-6',
      'claude-opus-4-6',
      'demo-fast',
      'demo-slow',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('says where every price comes from, and prices are sane', () => {
    for (const m of catalog) {
      expect(m.priceSource).toMatch(
        m.provider === 'demo' ? /simulated/i : /(pricing page|price trackers).*, as of \w+ \d{4}$/,
      );
      const pricing = m.pricing;
      if (!pricing) throw new Error(`${m.id} has no price`);
      expect(pricing.inputPerMillion).toBeGreaterThanOrEqual(0);
      expect(pricing.outputPerMillion).toBeGreaterThanOrEqual(pricing.inputPerMillion);
      if (pricing.cachedInputPerMillion !== undefined)
        expect(pricing.cachedInputPerMillion).toBeLessThan(pricing.inputPerMillion);
      expect(m.defaultMaxTokens).toBeLessThan(m.contextWindow);
    }
  });

  it('marks the reasoning models (o-series, gpt-5 family) as taking no temperature', () => {
    const noTemperature = catalog.filter((m) => !m.capabilities.temperature).map((m) => m.id);
    expect(noTemperature.sort()).toEqual([
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'gpt-5.1',
      'gpt-5.2',
      'gpt-5.4',
      'gpt-5.4-mini',
      'gpt-5.4-nano',
      'gpt-5.5',
      'o3',
      'o4-mini',
    ]);
  });

  it('dates every price of a real provider', () => {
    for (const m of catalog.filter((x) => x.provider !== 'demo'))
      expect(m.priceAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('labels the demo models as simulated and free', () => {
    for (const m of catalog.filter((x) => x.provider === 'demo')) {
      expect(m.name).toMatch(/\(simulated\)$/);
      expect(m.pricing).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
    }
  });
});

describe('defaultModels', () => {
  const ids = (models: ModelInfo[]) => models.map((m) => m.id);
  const only = (...providers: string[]) => catalog.filter((m) => providers.includes(m.provider));

  it('takes a quick model of each provider when both are configured', () => {
    expect(ids(defaultModels(only('openai', 'anthropic', 'demo'), 2))).toEqual([
      'gpt-4o-mini',
      'claude-haiku-4-5',
    ]);
  });

  it('stays within the one configured provider', () => {
    expect(ids(defaultModels(only('openai'), 2))).toEqual(['gpt-4o-mini', 'gpt-4.1-mini']);
    expect(ids(defaultModels(only('anthropic'), 2))).toEqual(['claude-haiku-4-5', 'claude-3-5-haiku']);
    expect(ids(defaultModels(only('demo'), 2))).toEqual(['demo-fast', 'demo-slow']);
  });

  it('falls back to catalogue order past the preference list', () => {
    const available = catalog.filter((m) => m.id === 'gpt-5' || m.id === 'o3');
    expect(ids(defaultModels(available, 2))).toEqual(['gpt-5', 'o3']);
    expect(defaultModels([], 2)).toEqual([]);
  });
});
