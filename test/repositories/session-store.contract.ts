// The SessionStore contract: every engine's implementation passes these, through the interface alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResponseFinal, SessionStore, StoredResponse } from '../../src/repositories/types.js';
import type { MakeStores, StoreHarness } from './store-harness.js';

const final = (over: Partial<ResponseFinal> = {}): ResponseFinal => ({
  inputTokens: 12,
  outputTokens: 2,
  cachedInputTokens: 3,
  cacheWriteInputTokens: 1,
  reasoningTokens: 5,
  cost: 0.001,
  costSource: 'computed',
  usageSource: 'provider',
  price: {
    inputPerMillion: 1,
    outputPerMillion: 2,
    cachedInputPerMillion: 0.5,
    cacheWriteInputPerMillion: null,
    source: 'test',
    asOf: '2026-01-01',
  },
  responseTimeMs: 90,
  timeToFirstTokenMs: 42,
  timeToFirstReasoningMs: 7,
  finishReason: 'length',
  errorMessage: null,
  ...over,
});

const chunk = (id: number, modelId = 'model-a', text = 'x') => ({
  id,
  event: 'model_chunk',
  data: JSON.stringify({ sessionId: 's1', modelId, chunk: text }),
});

export function describeSessionStore(name: string, makeStores: MakeStores) {
  describe(`SessionStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: SessionStore;
    beforeEach(async () => {
      harness = await makeStores();
      store = harness.stores.sessions;
      await harness.stores.users.upsert({ id: 'u1', email: null, name: null });
      await harness.stores.users.upsert({ id: 'u2', email: null, name: null });
    });
    afterEach(async () => {
      await harness.close();
    });

    const started = (id = 's1', extra: { parentId?: string; rootId?: string; turn?: number } = {}) =>
      store.create({
        id,
        userId: 'u1',
        prompt: `Compare ${id}`,
        temperature: 0.5,
        ...extra,
        responses: [
          { id: `${id}-r1`, modelId: 'model-a', provider: 'openai' },
          { id: `${id}-r2`, modelId: 'model-b', provider: 'anthropic' },
        ],
      });

    const responses = async (id = 's1'): Promise<StoredResponse[]> =>
      (await store.findForUser('u1', id))?.responses ?? [];

    it('creates a running session with its pending responses in request order, and returns it as stored', async () => {
      const session = await started();
      expect(session).toMatchObject({
        id: 's1',
        userId: 'u1',
        prompt: 'Compare s1',
        status: 'in_progress',
        temperature: 0.5,
        maxTokens: null,
        system: null,
        finalEventId: null,
        parentId: null,
        rootId: null,
        turn: 1,
        blind: false,
        revealedAt: null,
        completedAt: null,
      });
      expect(session.createdAt).toBeInstanceOf(Date);
      expect(await store.findSessionForUser('u1', 's1')).toEqual(session);
      expect((await responses()).map((r) => [r.id, r.position, r.status, r.response, r.reasoning])).toEqual([
        ['s1-r1', 0, 'pending', '', ''],
        ['s1-r2', 1, 'pending', '', ''],
      ]);
      // Nothing is known of a pending response's cost yet: null, never 0.
      expect((await responses())[0]).toMatchObject({ cost: null, costSource: null, finishReason: null });
    });

    it('never shows a session to another user', async () => {
      await started();
      expect(await store.findSessionForUser('u2', 's1')).toBeUndefined();
      expect(await store.findForUser('u2', 's1')).toBeUndefined();
      expect(await store.listForUser('u2', 10, 0)).toEqual({ total: 0, sessions: [], responses: [] });
      expect(await store.thread('u2', 's1')).toEqual([]);
      expect(await store.reveal('u2', 's1', new Date())).toBe(false);
    });

    it('appends text and reasoning, sets a status, then the final figures, each only when given', async () => {
      await started();
      await store.persist([
        {
          sessionId: 's1',
          events: [chunk(1, 'model-a', 'Hel')],
          responses: [{ id: 's1-r1', appendText: 'Hel', appendReasoning: 'think', status: 'streaming' }],
        },
      ]);
      await store.persist([
        {
          sessionId: 's1',
          events: [chunk(2, 'model-a', 'lo')],
          responses: [{ id: 's1-r1', appendText: 'lo', appendReasoning: ' more' }],
        },
      ]);
      let [r1, r2] = await responses();
      expect(r1).toMatchObject({
        response: 'Hello',
        reasoning: 'think more',
        status: 'streaming',
        timeToFirstTokenMs: null,
        cost: null,
      });
      expect(r2).toMatchObject({ response: '', reasoning: '', status: 'pending' });

      await store.persist([
        {
          sessionId: 's1',
          events: [{ id: 3, event: 'model_complete', data: '{}' }],
          responses: [
            { id: 's1-r1', appendText: '!', appendReasoning: '', status: 'completed', final: final() },
          ],
          final: { status: 'completed', errorMessage: null, finalEventId: 3 },
        },
      ]);
      [r1, r2] = await responses();
      expect(r1).toMatchObject({
        response: 'Hello!',
        reasoning: 'think more',
        status: 'completed',
        ...final(),
      });
      expect(r2?.status).toBe('pending');
      const session = await store.findSessionForUser('u1', 's1');
      expect(session).toMatchObject({ status: 'completed', finalEventId: 3, errorMessage: null });
      expect(session?.completedAt).toBeInstanceOf(Date);
      expect((await store.eventsAfter('s1', 1)).map((e) => e.id)).toEqual([2, 3]);

      // A later text-only write leaves the figures and the status as they were.
      await store.persist([
        { sessionId: 's1', events: [], responses: [{ id: 's1-r1', appendText: '?', appendReasoning: '' }] },
      ]);
      expect((await responses())[0]).toMatchObject({ response: 'Hello!?', status: 'completed', ...final() });
    });

    it('stores final figures that are null as null (an unknown cost is not 0)', async () => {
      await started();
      const unknown = final({
        cost: null,
        costSource: 'unknown',
        usageSource: 'none',
        price: null,
        reasoningTokens: null,
        timeToFirstTokenMs: null,
        timeToFirstReasoningMs: null,
        responseTimeMs: null,
        finishReason: null,
        errorMessage: 'The provider is overloaded',
      });
      await store.persist([
        {
          sessionId: 's1',
          events: [],
          responses: [{ id: 's1-r2', appendText: '', appendReasoning: '', status: 'error', final: unknown }],
        },
      ]);
      expect((await responses())[1]).toMatchObject({ status: 'error', ...unknown });
    });

    it('stores an event once when the same id is written again', async () => {
      await started();
      const event = chunk(1, 'model-a', 'a');
      await store.persist([{ sessionId: 's1', events: [event], responses: [] }]);
      await store.persist([
        { sessionId: 's1', events: [{ ...event, data: '{"chunk":"b"}' }], responses: [] },
      ]);
      expect(await store.eventsAfter('s1', 0)).toEqual([event]);
    });

    it('gives back the events of many writes in order with their ids, from any id on', async () => {
      await started();
      const events = [
        { id: 1, event: 'model_chunk', data: '{"modelId":"model-a","chunk":"a b"}' },
        { id: 2, event: 'model_chunk', data: '{"modelId":"model-b","chunk":"\\n é 😀"}' },
        { id: 3, event: 'model_chunk', data: '{"modelId":"model-a","chunk":" "}' },
        { id: 4, event: 'model_complete', data: '{"modelId":"model-a"}' },
        { id: 5, event: 'comparison_complete', data: '{}' },
      ];
      await store.persist([{ sessionId: 's1', events: events.slice(0, 3), responses: [] }]);
      await store.persist([{ sessionId: 's1', events: events.slice(3, 4), responses: [] }]);
      await store.persist([{ sessionId: 's1', events: events.slice(4), responses: [] }]);
      expect(await store.eventsAfter('s1', 0)).toEqual(events);
      expect(await store.eventsAfter('s1', 2)).toEqual(events.slice(2));
      expect(await store.eventsAfter('s1', 5)).toEqual([]);
      expect(await store.eventsAfter('other', 0)).toEqual([]);
    });

    it('keeps the ids of a later write that starts past a gap (recovery numbers its endings so)', async () => {
      await started();
      await store.persist([{ sessionId: 's1', events: [chunk(1), chunk(2)], responses: [] }]);
      const endings = [
        { id: 10_003, event: 'model_error', data: '{"modelId":"model-a"}' },
        { id: 10_004, event: 'comparison_error', data: '{}' },
      ];
      await store.persist([{ sessionId: 's1', events: endings, responses: [] }]);
      expect((await store.eventsAfter('s1', 0)).map((e) => e.id)).toEqual([1, 2, 10_003, 10_004]);
      expect(await store.eventsAfter('s1', 5_000)).toEqual(endings);
    });

    it('refuses a write whose event ids do not follow each other, and stores nothing of that batch', async () => {
      await started();
      await started('s2');
      const gap = [chunk(1), chunk(3)];
      await expect(
        store.persist([
          {
            sessionId: 's2',
            events: [chunk(1)],
            responses: [{ id: 's2-r1', appendText: 'y', appendReasoning: '' }],
          },
          {
            sessionId: 's1',
            events: gap,
            responses: [{ id: 's1-r1', appendText: 'x', appendReasoning: '' }],
          },
        ]),
      ).rejects.toThrow(/consecutive/);
      expect(await store.eventsAfter('s1', 0)).toEqual([]);
      expect(await store.eventsAfter('s2', 0)).toEqual([]);
      expect((await responses('s1'))[0]?.response).toBe('');
      expect((await responses('s2'))[0]?.response).toBe('');
    });

    it('writes many sessions in one batch', async () => {
      await started('s1');
      await started('s2');
      await store.persist([
        {
          sessionId: 's1',
          events: [chunk(1)],
          responses: [{ id: 's1-r1', appendText: 'one', appendReasoning: '' }],
        },
        {
          sessionId: 's2',
          events: [chunk(1), chunk(2)],
          responses: [{ id: 's2-r2', appendText: 'two', appendReasoning: '' }],
          final: { status: 'failed', errorMessage: 'Every model failed', finalEventId: 2 },
        },
      ]);
      expect((await responses('s1'))[0]?.response).toBe('one');
      expect((await responses('s2'))[1]?.response).toBe('two');
      expect(await store.findSessionForUser('u1', 's2')).toMatchObject({
        status: 'failed',
        errorMessage: 'Every model failed',
        finalEventId: 2,
      });
      expect((await store.eventsAfter('s2', 0)).map((e) => e.id)).toEqual([1, 2]);
    });

    it('lists a user’s sessions newest first with the responses minus their texts, paged', async () => {
      for (const id of ['s1', 's2', 's3']) await started(id);
      await store.persist([
        {
          sessionId: 's2',
          events: [],
          responses: [{ id: 's2-r1', appendText: 'long text', appendReasoning: 'r' }],
        },
      ]);
      const page = await store.listForUser('u1', 2, 0);
      expect(page.total).toBe(3);
      // Created in the same millisecond or not, the later one comes first.
      expect(page.sessions.map((s) => s.id)).toEqual(['s3', 's2']);
      expect(page.responses.map((r) => r.id).sort()).toEqual(['s2-r1', 's2-r2', 's3-r1', 's3-r2']);
      for (const r of page.responses) {
        expect(r).not.toHaveProperty('response');
        expect(r).not.toHaveProperty('reasoning');
      }
      const rest = await store.listForUser('u1', 2, 2);
      expect(rest.total).toBe(3);
      expect(rest.sessions.map((s) => s.id)).toEqual(['s1']);
      expect((await store.listForUser('u1', 2, 3)).sessions).toEqual([]);
    });

    it('gives a conversation’s sessions in turn order', async () => {
      await started('s1');
      await started('s3', { parentId: 's2', rootId: 's1', turn: 3 });
      await started('s2', { parentId: 's1', rootId: 's1', turn: 2 });
      await started('other');
      const thread = await store.thread('u1', 's1');
      expect(thread.map((s) => [s.id, s.turn, s.parentId])).toEqual([
        ['s1', 1, null],
        ['s2', 2, 's1'],
        ['s3', 3, 's2'],
      ]);
    });

    it('reveals a session once: the first time is kept', async () => {
      await started();
      const first = new Date('2026-02-01T10:00:00.000Z');
      expect(await store.reveal('u1', 's1', first)).toBe(true);
      expect(await store.reveal('u1', 's1', new Date('2026-02-02T10:00:00.000Z'))).toBe(true);
      expect((await store.findSessionForUser('u1', 's1'))?.revealedAt).toEqual(first);
      expect(await store.reveal('u1', 'missing', first)).toBe(false);
    });

    it('finds the sessions still running, with their responses and stored events, and only those', async () => {
      await started('s1');
      await started('s2');
      await store.persist([
        {
          sessionId: 's1',
          events: [chunk(1)],
          responses: [{ id: 's1-r1', appendText: 'x', appendReasoning: '' }],
        },
        {
          sessionId: 's2',
          events: [{ id: 1, event: 'comparison_error', data: '{}' }],
          responses: [],
          final: { status: 'cancelled', errorMessage: 'Cancelled by the user', finalEventId: 1 },
        },
      ]);
      const found = await store.findInterrupted();
      expect(found.map((f) => f.session.id)).toEqual(['s1']);
      expect(found[0]?.responses.map((r) => [r.id, r.response])).toEqual([
        ['s1-r1', 'x'],
        ['s1-r2', ''],
      ]);
      expect(found[0]?.events).toEqual([chunk(1)]);
      // What one app wrote, another app on the same database finds.
      expect((await harness.reopen().sessions.findInterrupted()).map((f) => f.session.id)).toEqual(['s1']);
      // One of them by id: the unfinished one with its responses and events, an ended one not at all.
      const one = await store.findUnfinished('s1');
      expect(one?.session.id).toBe('s1');
      expect(one?.responses.map((r) => [r.id, r.response])).toEqual([
        ['s1-r1', 'x'],
        ['s1-r2', ''],
      ]);
      expect(one?.events).toEqual([chunk(1)]);
      expect(await store.findUnfinished('s2')).toBeUndefined();
      expect(await store.findUnfinished('nope')).toBeUndefined();
    });
  });
}
