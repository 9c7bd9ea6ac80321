// Which models a request runs: the ones it names (each checked), or the defaults of what is available.
import { Errors } from '../errors.js';
import { defaultModels, findModel } from '../providers/catalog.js';
import type { ModelInfo, Provider } from '../providers/types.js';
import { DEFAULT_MODEL_COUNT } from '../schemas/comparison.js';

export interface ModelDirectory {
  available(): ModelInfo[];
  get(modelId: string): ModelInfo | undefined;
  providerFor(model: ModelInfo): Provider;
}

/** The named models in order, or the default pair; a 400 naming the first id that cannot run. */
export function resolveModels(models: ModelDirectory, modelIds: readonly string[] | undefined): ModelInfo[] {
  if (!modelIds) {
    const available = models.available();
    if (available.length === 0)
      throw new Errors.ModelUnavailable('No models are available on this server: no provider is configured');
    return defaultModels(available, DEFAULT_MODEL_COUNT);
  }
  return modelIds.map((id) => {
    const model = models.get(id);
    if (model) return model;
    if (findModel(id))
      throw new Errors.ModelUnavailable(
        `Model ${id} is not available on this server (its provider is not configured)`,
      );
    throw new Errors.ModelUnknown(`Unknown model: ${id}`);
  });
}
