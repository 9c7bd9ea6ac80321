// The event log: ids, frames, cursors, byte offsets and the registry's retention.
import { describe, expect, it } from 'vitest';
import { EventLogRegistry, SessionEventLog } from '../../src/services/event-log.js';

function filled(n: number) {
  const log = new SessionEventLog('s1');
  for (let i = 0; i < n; i++) log.append('model_chunk', { sessionId: 's1', modelId: 'm', chunk: `c${i}` });
  return log;
}

describe('SessionEventLog', () => {
  it('numbers events from 1 and builds each SSE frame once, with one JSON data line', () => {
    const log = filled(2);
    log.append('model_chunk', { chunk: 'two\nlines\u2028' });
    expect(log.events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(log.events[0]?.frame).toBe(`id: 1\nevent: model_chunk\ndata: ${log.events[0]?.data}\n\n`);
    expect(log.events[2]?.frame.split('\n')).toHaveLength(5);
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
    log.append('model_complete', { modelId: 'm' });
    log.append('comparison_complete', { metrics: {} });
    expect(calls).toBe(2);
    expect(log.finished).toBe(true);
    expect(() => log.append('model_chunk', {})).toThrow(/finished/);
    off();
    expect(log.subscriberCount).toBe(0);
  });

  it('keeps restored ids as they were stored', () => {
    const log = SessionEventLog.fromStored('s2', [
      { id: 4, event: 'model_chunk', data: '{"chunk":"a"}' },
      { id: 5, event: 'comparison_error', data: '{"error":"x"}' },
    ]);
    expect(log.events[0]?.frame).toBe('id: 4\nevent: model_chunk\ndata: {"chunk":"a"}\n\n');
    expect(log.finished).toBe(true);
    expect(log.lastId).toBe(5);
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
