// Sessions repository: progress writes set exactly the columns they carry and leave the others alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { users } from '../../src/db/schema.js';
import { createSessionsRepository } from '../../src/repositories/sessions.js';

let opened: ReturnType<typeof openDatabase>;
beforeEach(() => {
  opened = openDatabase(':memory:');
  opened.db.insert(users).values({ id: 'u1' }).run();
});
afterEach(() => opened.sqlite.close());

function started() {
  const repo = createSessionsRepository(opened.db);
  const session = repo.create({
    id: 's1',
    userId: 'u1',
    prompt: 'Compare',
    temperature: 0.5,
    responses: [
      { id: 'r1', modelId: 'model-a', provider: 'openai' },
      { id: 'r2', modelId: 'model-b', provider: 'anthropic' },
    ],
  });
  return { repo, session };
}

const responses = (repo: ReturnType<typeof createSessionsRepository>) =>
  repo.findForUser('u1', 's1')?.responses ?? [];

describe('sessions repository', () => {
  it('creates a running session with its pending responses in request order', () => {
    const { repo, session } = started();
    expect(session).toMatchObject({ id: 's1', status: 'in_progress', temperature: 0.5, system: null });
    expect(session.createdAt).toBeInstanceOf(Date);
    expect(responses(repo).map((r) => [r.id, r.position, r.status, r.response])).toEqual([
      ['r1', 0, 'pending', ''],
      ['r2', 1, 'pending', ''],
    ]);
    expect(repo.findSessionForUser('u1', 's1')?.id).toBe('s1');
    expect(repo.findSessionForUser('someone-else', 's1')).toBeUndefined();
  });

  it('appends text, sets a status and time to first token, then the final figures, each only when given', () => {
    const { repo } = started();
    repo.persist([
      {
        sessionId: 's1',
        events: [{ id: 1, event: 'model_chunk', data: '{"chunk":"Hel"}' }],
        responses: [{ id: 'r1', appendText: 'Hel', status: 'streaming', timeToFirstTokenMs: 42 }],
      },
    ]);
    repo.persist([
      {
        sessionId: 's1',
        events: [{ id: 2, event: 'model_chunk', data: '{"chunk":"lo"}' }],
        responses: [{ id: 'r1', appendText: 'lo' }],
      },
    ]);
    let [r1, r2] = responses(repo);
    expect(r1).toMatchObject({ response: 'Hello', status: 'streaming', timeToFirstTokenMs: 42, cost: 0 });
    expect(r2).toMatchObject({ response: '', status: 'pending', timeToFirstTokenMs: null });

    repo.persist([
      {
        sessionId: 's1',
        events: [{ id: 3, event: 'model_complete', data: '{}' }],
        responses: [
          {
            id: 'r1',
            appendText: '',
            status: 'completed',
            final: {
              inputTokens: 12,
              outputTokens: 2,
              cachedInputTokens: 0,
              cost: 0.001,
              responseTimeMs: 90,
              errorMessage: null,
            },
          },
        ],
        final: { status: 'completed', errorMessage: null, finalEventId: 3 },
      },
    ]);
    [r1, r2] = responses(repo);
    // No timeToFirstTokenMs in that write: the stored one stays.
    expect(r1).toMatchObject({
      response: 'Hello',
      status: 'completed',
      timeToFirstTokenMs: 42,
      inputTokens: 12,
      outputTokens: 2,
      cost: 0.001,
      responseTimeMs: 90,
      errorMessage: null,
    });
    expect(r2?.status).toBe('pending');
    const session = repo.findSessionForUser('u1', 's1');
    expect(session).toMatchObject({ status: 'completed', finalEventId: 3, errorMessage: null });
    expect(session?.completedAt).toBeInstanceOf(Date);
    expect(repo.eventsAfter('s1', 1).map((e) => e.id)).toEqual([2, 3]);
  });

  it('stores an event once when the same id is written again', () => {
    const { repo } = started();
    const event = { id: 1, event: 'model_chunk', data: '{"chunk":"a"}' };
    repo.persist([{ sessionId: 's1', events: [event], responses: [] }]);
    repo.persist([{ sessionId: 's1', events: [{ ...event, data: '{"chunk":"b"}' }], responses: [] }]);
    expect(repo.eventsAfter('s1', 0)).toEqual([event]);
  });

  it('gives back the events of many writes in order with their ids, from any id on', () => {
    const { repo } = started();
    const events = [
      { id: 1, event: 'model_chunk', data: '{"modelId":"model-a","chunk":"a b"}' },
      { id: 2, event: 'model_chunk', data: '{"modelId":"model-b","chunk":"\\n é 😀"}' },
      { id: 3, event: 'model_chunk', data: '{"modelId":"model-a","chunk":" "}' },
      { id: 4, event: 'model_complete', data: '{"modelId":"model-a"}' },
      { id: 5, event: 'comparison_complete', data: '{}' },
    ];
    repo.persist([{ sessionId: 's1', events: events.slice(0, 3), responses: [] }]);
    repo.persist([{ sessionId: 's1', events: events.slice(3, 4), responses: [] }]);
    repo.persist([{ sessionId: 's1', events: events.slice(4), responses: [] }]);
    expect(repo.eventsAfter('s1', 0)).toEqual(events);
    expect(repo.eventsAfter('s1', 2)).toEqual(events.slice(2));
    expect(repo.eventsAfter('s1', 5)).toEqual([]);
    const rows = opened.sqlite.prepare('select count(*) as n from session_event_batches').get();
    expect(rows).toEqual({ n: 3 });
  });

  it('refuses a write whose event ids do not follow each other, and stores nothing of it', () => {
    const { repo } = started();
    const gap = [
      { id: 1, event: 'model_chunk', data: '{}' },
      { id: 3, event: 'model_chunk', data: '{}' },
    ];
    expect(() =>
      repo.persist([{ sessionId: 's1', events: gap, responses: [{ id: 'r1', appendText: 'x' }] }]),
    ).toThrow(/consecutive/);
    expect(repo.eventsAfter('s1', 0)).toEqual([]);
    expect(responses(repo)[0]?.response).toBe('');
  });

  it('sets a null time to first token when one is given as null', () => {
    const { repo } = started();
    repo.persist([
      {
        sessionId: 's1',
        events: [],
        responses: [{ id: 'r2', appendText: '', status: 'error', timeToFirstTokenMs: null }],
      },
    ]);
    expect(responses(repo)[1]).toMatchObject({ status: 'error', timeToFirstTokenMs: null });
  });
});
