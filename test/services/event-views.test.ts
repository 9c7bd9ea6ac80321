// Views of the event log: each view renders an event once, may leave events out, sees only what is stored.
import { describe, expect, it } from 'vitest';
import type { ComparisonEvent } from '../../src/services/comparison-events.js';
import { type LoggedEvent, MAX_UNSTORED_EVENTS, SessionEventLog } from '../../src/services/event-log.js';
import { type EventView, ownerView } from '../../src/services/event-views.js';
import { modelMetrics } from '../../src/services/metrics.js';
import { testModel } from '../support/scripted-provider.js';

const chunk = (modelId: string, text: string): ComparisonEvent => ({
  type: 'model_chunk',
  modelId,
  chunk: text,
  timestamp: 't',
});
const reasoning = (modelId: string, text: string): ComparisonEvent => ({
  type: 'model_reasoning',
  modelId,
  chunk: text,
  timestamp: 't',
});
const complete = (modelId: string): ComparisonEvent => ({
  type: 'model_complete',
  modelId,
  metrics: modelMetrics(testModel(modelId), null, { startedAt: 0, endedAt: 1 }, 'stop'),
  timestamp: 't',
});

/** A blind view as a later feature will have it: slots instead of model ids, no reasoning, counted. */
function slotView() {
  const rendered: number[] = [];
  const slots = new Map([
    ['gpt', 'A'],
    ['claude', 'B'],
  ]);
  const view: EventView = {
    key: 'blind-slots',
    frame(e: LoggedEvent) {
      rendered.push(e.id);
      if (e.event.type === 'model_reasoning') return null;
      const slot = 'modelId' in e.event ? slots.get(e.event.modelId) : undefined;
      return `id: ${e.id}\nevent: ${e.event.type}\ndata: ${JSON.stringify({ slot })}\n\n`;
    },
  };
  return { view, rendered };
}

function logWith(events: ComparisonEvent[]) {
  const log = new SessionEventLog('s1');
  for (const e of events) log.append(e);
  return log;
}

describe('event views', () => {
  it('renders each event once for a view, however many readers read it and in whatever pieces', () => {
    const log = logWith([chunk('gpt', 'a'), chunk('claude', 'b'), chunk('gpt', 'c')]);
    const { view, rendered } = slotView();
    const readers = Array.from({ length: 5 }, () => log.framesAfter(0, 1_000_000, view));
    for (const r of readers) expect(r).toEqual(readers[0]);
    // A reader taking one event at a time gets the same frames from the same cache.
    let cursor = 0;
    let text = '';
    for (let piece = log.framesAfter(cursor, 1, view); piece; piece = log.framesAfter(cursor, 1, view)) {
      cursor = piece.lastId;
      text += piece.text;
    }
    expect(text).toBe(readers[0]?.text);
    log.append(chunk('claude', 'd'));
    log.framesAfter(0, 1_000_000, view);
    log.framesAfter(3, 1_000_000, view);
    expect(rendered).toEqual([1, 2, 3, 4]);
    expect(readers[0]?.text).toBe(
      'id: 1\nevent: model_chunk\ndata: {"slot":"A"}\n\n' +
        'id: 2\nevent: model_chunk\ndata: {"slot":"B"}\n\n' +
        'id: 3\nevent: model_chunk\ndata: {"slot":"A"}\n\n',
    );
  });

  it('a view leaves out an event with null; its readers move past it all the same', () => {
    const log = logWith([reasoning('gpt', 'hm'), chunk('gpt', 'a'), reasoning('gpt', 'more')]);
    const { view } = slotView();
    const all = log.framesAfter(0, 1_000_000, view);
    expect(all?.lastId).toBe(3);
    expect(all?.text).toBe('id: 2\nevent: model_chunk\ndata: {"slot":"A"}\n\n');
    // Only left-out events after the cursor: nothing to write, but the cursor still moves.
    expect(log.framesAfter(2, 1_000_000, view)).toEqual({ text: '', lastId: 3 });
    // The owner sees everything, with the frames built at append.
    expect(log.framesAfter(0, 1_000_000, ownerView)?.text).toBe(log.events.map((e) => e.frame).join(''));
  });

  it('holds an ending back from every view until it is stored, and what follows it too', () => {
    const log = logWith([chunk('gpt', 'a'), complete('gpt'), chunk('claude', 'b')]);
    const { view } = slotView();
    expect(log.visibleLastId).toBe(1);
    expect(log.framesAfter(0, 1_000_000, view)?.lastId).toBe(1);
    expect(log.framesAfter(0, 1_000_000)?.lastId).toBe(1);
    expect(log.framesAfter(1, 1_000_000, view)).toBeUndefined();
    log.markStored(1);
    expect(log.visibleLastId).toBe(1);
    log.markStored(2);
    expect(log.visibleLastId).toBe(3);
    expect(log.framesAfter(1, 1_000_000, view)?.lastId).toBe(3);
  });

  it('never shows more than MAX_UNSTORED_EVENTS past what the store holds', () => {
    const log = new SessionEventLog('s1');
    for (let i = 0; i < MAX_UNSTORED_EVENTS + 5; i++) log.append(chunk('gpt', 'x'));
    expect(log.visibleLastId).toBe(MAX_UNSTORED_EVENTS);
    expect(log.framesAfter(0, Number.MAX_SAFE_INTEGER)?.lastId).toBe(MAX_UNSTORED_EVENTS);
    expect(log.eventsAfter(0)).toHaveLength(MAX_UNSTORED_EVENTS);
    expect(log.framesAfter(MAX_UNSTORED_EVENTS, 1_000)).toBeUndefined();
    log.markStored(3);
    expect(log.visibleLastId).toBe(MAX_UNSTORED_EVENTS + 3);
    log.markStored(10);
    expect(log.visibleLastId).toBe(MAX_UNSTORED_EVENTS + 5);
  });
});
