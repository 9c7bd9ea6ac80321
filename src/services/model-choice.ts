// Which models a comparison request names: the ids it asks for, or the defaults among those available.

import { Errors } from '../errors.js';
import { catalog, defaultModels } from '../providers/catalog.js';
import type { ModelInfo } from '../providers/types.js';
import { DEFAULT_MODEL_COUNT } from '../schemas/comparison.js';

/**
 * The models of a request, in the order asked; without ids, the default pair. Throws a 400 naming
 * the first id that is unknown or whose provider is not configured. (The same rules as the
 * comparison service's, so an estimate prices exactly what a run would start.)
 */
export function chooseModels(
  available: readonly ModelInfo[],
  modelIds: readonly string[] | undefined,
): ModelInfo[] {
  if (!modelIds) {
    if (available.length === 0)
      throw new Errors.BadRequest('No models are available on this server: no provider is configured');
    return defaultModels(available, DEFAULT_MODEL_COUNT);
  }
  return modelIds.map((id) => {
    const model = available.find((m) => m.id === id);
    if (model) return model;
    if (catalog.some((m) => m.id === id))
      throw new Errors.BadRequest(
        `Model ${id} is not available on this server (its provider is not configured)`,
      );
    throw new Errors.BadRequest(`Unknown model: ${id}`);
  });
}

/** The conversation a comparison body describes: its system prompt (if any), then the user's prompt. */
export function messagesOf(body: { prompt: string; system?: string }) {
  return [
    ...(body.system ? [{ role: 'system' as const, content: body.system }] : []),
    { role: 'user' as const, content: body.prompt },
  ];
}
