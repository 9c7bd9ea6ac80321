// Follow-up turns: each chosen model gets the conversation so far with its own earlier answers only.
import { Errors } from '../errors.js';
import type { ChatMessage, ModelInfo } from '../providers/types.js';
import type { SessionStore, StoredResponse, StoredSession } from '../repositories/types.js';
import type { CreateComparisonBody } from '../schemas/comparison.js';
import { slotOf } from './blind.js';
import type { ComparisonService } from './comparison-service.js';
import type { ModelDirectory } from './model-choice.js';

export type ContinueBody = Omit<CreateComparisonBody, 'modelIds' | 'blind'> & { modelIds?: string[] };

/** A rough, conservative token count for the context check: about four characters per token. */
const roughTokens = (messages: readonly ChatMessage[]) =>
  messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 0);

interface Turn {
  session: StoredSession;
  responses: StoredResponse[];
}

/**
 * The messages one model receives: the system prompt, then every earlier turn's prompt followed by
 * this model's own answer when it completed (a failed or cancelled answer is left out; another
 * model's answer is never included), then the new prompt.
 */
export function historyFor(modelId: string, turns: readonly Turn[], prompt: string, system: string | null) {
  const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  for (const { session, responses } of turns) {
    messages.push({ role: 'user', content: session.prompt });
    const own = responses.find((r) => r.modelId === modelId);
    if (own?.status === 'completed' && own.response.length > 0)
      messages.push({ role: 'assistant', content: own.response });
  }
  messages.push({ role: 'user', content: prompt });
  return messages;
}

export function createConversationService(deps: {
  store: SessionStore;
  comparisons: ComparisonService;
  models: ModelDirectory;
  isRunning(sessionId: string): boolean;
}) {
  const { store, models } = deps;

  /** The sessions from the conversation's first one down to `parent`, following parentId. */
  async function chainTo(userId: string, parent: Turn): Promise<Turn[]> {
    const chain: Turn[] = [parent];
    let at = parent.session;
    while (at.parentId) {
      const found = await store.findForUser(userId, at.parentId);
      if (!found) break;
      chain.unshift(found);
      at = found.session;
    }
    return chain;
  }

  /** The parent's responses the follow-up continues: those named (ids, or slots when blind), else the completed. */
  function pick(parent: Turn, modelIds: readonly string[] | undefined): StoredResponse[] {
    const { responses, session } = parent;
    if (!modelIds) {
      const completed = responses.filter((r) => r.status === 'completed');
      if (completed.length === 0)
        throw new Errors.BadRequest(
          'No model of this comparison completed; name the models to continue with',
        );
      return completed;
    }
    const hidden = session.blind && !session.revealedAt;
    return modelIds.map((id) => {
      const found = responses.find((r) => (hidden ? slotOf(r.position) : r.modelId) === id);
      if (!found) throw new Errors.BadRequest(`${id} is not a model of this comparison`);
      return found;
    });
  }

  return {
    async continue(userId: string, parentId: string, body: ContinueBody) {
      const parent = await store.findForUser(userId, parentId);
      if (!parent) throw new Errors.NotFound('Comparison not found');
      if (
        deps.isRunning(parentId) ||
        parent.session.status === 'in_progress' ||
        parent.session.status === 'pending'
      )
        throw new Errors.Conflict('This comparison is still running; continue it once it has ended');
      const chosen = pick(parent, body.modelIds);
      const turns = await chainTo(userId, parent);
      const root = turns[0]?.session ?? parent.session;
      const system = body.system ?? root.system;
      const planned = chosen.map((r) => {
        const model: ModelInfo | undefined = models.get(r.modelId);
        if (!model)
          throw new Errors.ModelUnavailable(`Model ${r.modelId} is no longer available on this server`);
        const messages = historyFor(r.modelId, turns, body.prompt, system);
        const size = roughTokens(messages);
        if (size > model.contextWindow)
          throw new Errors.BadRequest(
            `The conversation (about ${size} tokens) no longer fits ${model.name}'s context window of ${model.contextWindow} tokens`,
          );
        // A blind conversation keeps each model in its slot.
        return { model, messages, position: r.position };
      });
      return deps.comparisons.launch(userId, { ...body, system: system ?? undefined }, planned, {
        parentId,
        rootId: root.id,
        turn: parent.session.turn + 1,
        blind: parent.session.blind && !parent.session.revealedAt,
      });
    },
  };
}

export type ConversationService = ReturnType<typeof createConversationService>;
