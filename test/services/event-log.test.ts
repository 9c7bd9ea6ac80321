// The event log: ids, frames, cursors, byte offsets, what is visible before the store has it, and retention.
import { describe, expect, it } from 'vitest';
import type { ComparisonEvent } from '../../src/services/comparison-events.js';
import { EventLogRegistry, SessionEventLog } from '../../src/services/event-log.js';
import { sessionMetrics } from '../../src/services/metrics.js';

const chunk = (text: string): ComparisonEvent => ({
  type: 'model_chunk',
  modelId: 'm',
  chunk: text,
  timestamp: 't',
});

function filled(n: number) {
  const log = new SessionEventLog('s1');
  for (let i = 0; i < n; i++) log.append(chunk(`c${i}`));
  return log;
}

const finalEvent: ComparisonEvent = {
  type: 'comparison_error',
  error: 'Every model failed',
  status: 'failed',
  errorMessage: 'Every model failed',
  timestamp: 't',
};

describe('SessionEventLog', () => {
  it('followEvents hands each event to a follower once, in order, and stops after the final one', () => {
    const log = filled(2);
    const seen: string[] = [];
    log.followEvents((event, id) => seen.push(`${id}:${event.type}`));
    log.append(chunk('c2'));
    log.append(finalEvent);
    expect(seen).toEqual(['1:model_chunk', '2:model_chunk', '3:model_chunk', '4:comparison_error']);
    expect(log.subscriberCount).toBe(0);
    const stopped: number[] = [];
    const other = filled(1);
    const stop = other.followEvents((_e, id) => stopped.push(id));
    other.append(chunk('x'));
    stop();
    other.append(chunk('y'));
    expect(stopped).toEqual([1, 2]);
  });

  it('numbers events from 1 and builds each SSE frame once, with one JSON data line', () => {
    const log = filled(2);
    log.append(chunk('two\nlines\u2028'));
    expect(log.events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(log.events[0]?.frame).toBe(`id: 1\nevent: model_chunk\ndata: ${log.events[0]?.data}\n\n`);
    expect(log.events[2]?.frame.split('\n')).toHaveLength(5);
    // The owner's data line: the session id first, then the event's fields.
    expect(JSON.parse(log.events[2]?.data ?? '')).toEqual({
      sessionId: 's1',
      modelId: 'm',
      chunk: 'two\nlines\u2028',
      timestamp: 't',
    });
    expect(log.finished).toBe(false);
  });

  it('hands a subscriber everything after its cursor, in pieces of about maxBytes', () => {
    const log = filled(10);
    const all = log.framesAfter(0, 1_000_000);
    expect(all?.lastId).toBe(10);
    expect(all?.text).toBe(log.events.map((e) => e.frame).join(''));
    const rest = log.framesAfter(7, 1_000_000);
    expect(rest?.text).toBe(
      log.events
        .slice(7)
        .map((e) => e.frame)
        .join(''),
    );
    const piece = log.framesAfter(0, 1);
    expect(piece?.lastId).toBe(1);
    expect(log.framesAfter(10, 100)).toBeUndefined();
    expect(log.framesAfter(99, 100)).toBeUndefined();
  });

  it('measures how far behind a cursor is in bytes', () => {
    const log = filled(4);
    const total = log.events.reduce((s, e) => s + Buffer.byteLength(e.frame), 0);
    expect(log.totalBytes).toBe(total);
    expect(log.bytesAfter(0)).toBe(total);
    expect(log.bytesAfter(4)).toBe(0);
    expect(log.bytesAfter(3)).toBe(Buffer.byteLength(log.events[3]?.frame ?? ''));
  });

  it('notifies subscribers on each append and finishes with the final event', () => {
    const log = filled(1);
    let calls = 0;
    const off = log.subscribe(() => calls++);
    log.append({
      type: 'model_complete',
      modelId: 'm',
      metrics: {} as never,
      timestamp: 't',
    });
    log.append({ type: 'comparison_complete', metrics: sessionMetrics([]), timestamp: 't' });
    expect(calls).toBe(2);
    expect(log.finished).toBe(true);
    expect(() => log.append(chunk('late'))).toThrow(/finished/);
    off();
    expect(log.subscriberCount).toBe(0);
  });

  it('shows the final event only once it is stored: finishedVisible and finalStored wait for markStored', async () => {
    const log = filled(2);
    log.append(finalEvent);
    expect(log.finished).toBe(true);
    expect(log.finishedVisible).toBe(false);
    expect(log.framesAfter(0, 1_000_000)?.lastId).toBe(2);
    expect(log.eventsAfter(0).map((e) => e.id)).toEqual([1, 2]);
    // The store's follower reads past the watermark: it writes what is not stored yet.
    expect(log.eventsAfterAll(0).map((e) => e.id)).toEqual([1, 2, 3]);
    log.markStored(3);
    expect(log.finishedVisible).toBe(true);
    expect(log.framesAfter(2, 1_000_000)?.lastId).toBe(3);
    await log.finalStored;
  });

  it('keeps restored ids as they were stored, all of them visible', async () => {
    const log = SessionEventLog.fromStored('s2', [
      { id: 4, event: 'model_chunk', data: '{"chunk":"a"}' },
      { id: 5, event: 'comparison_error', data: '{"error":"x"}' },
    ]);
    expect(log.events[0]?.frame).toBe('id: 4\nevent: model_chunk\ndata: {"chunk":"a"}\n\n');
    expect(log.finished).toBe(true);
    expect(log.finishedVisible).toBe(true);
    expect(log.lastId).toBe(5);
    expect(log.storedId).toBe(5);
    await log.finalStored;
  });

  it('reads back an event of an earlier or a newer version as a typed event that still ends a replay', () => {
    const log = SessionEventLog.fromStored('s3', [
      { id: 1, event: 'model_complete', data: '{"modelId":"a","metrics":{"inputTokens":3}}' },
      { id: 2, event: 'model_verdict', data: '{"modelId":"b"}' },
      { id: 3, event: 'comparison_error', data: '{"error":"cancelled"}' },
    ]);
    const [complete, unknown, ended] = log.events.map((e) => e.event);
    expect(complete).toMatchObject({ type: 'model_complete', metrics: { inputTokens: 3, cost: null } });
    expect(unknown).toMatchObject({
      type: 'model_error',
      modelId: 'b',
      error: 'unknown event model_verdict',
    });
    expect(ended).toMatchObject({ type: 'comparison_error', status: 'cancelled', errorMessage: 'cancelled' });
    // A client of this version gets an event it knows, with the id and data line as stored.
    expect(log.events[1]?.frame).toBe('id: 2\nevent: model_error\ndata: {"modelId":"b"}\n\n');
  });

  it('a sealed log (an old session without its final event) replays and closes', async () => {
    const log = SessionEventLog.fromStored('s4', [{ id: 1, event: 'model_chunk', data: '{"chunk":"a"}' }]);
    expect(log.finished).toBe(false);
    log.seal();
    expect(log.finishedVisible).toBe(true);
    await log.finalStored;
  });
});

describe('EventLogRegistry', () => {
  it('forgets a retired log after the retention time', async () => {
    const registry = new EventLogRegistry(20);
    registry.add(new SessionEventLog('s'));
    registry.retire('s');
    expect(registry.get('s')).toBeDefined();
    await new Promise((r) => setTimeout(r, 40));
    expect(registry.get('s')).toBeUndefined();
  });
});
