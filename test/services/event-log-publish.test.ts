// The event log's publish watermark (several instances): nothing visible before Redis holds it, mirrors, cuts.
import { describe, expect, it } from 'vitest';
import type { ComparisonEvent } from '../../src/services/comparison-events.js';
import { SessionEventLog } from '../../src/services/event-log.js';

const chunk = (text: string): ComparisonEvent => ({
  type: 'model_chunk',
  modelId: 'm',
  chunk: text,
  timestamp: 't',
});
const finalEvent: ComparisonEvent = {
  type: 'comparison_error',
  error: 'cancelled',
  status: 'cancelled',
  errorMessage: 'Cancelled by the user',
  timestamp: 't',
};

describe('SessionEventLog publish watermark', () => {
  it('shows nothing past what was published once gated, and endings only once stored as well', () => {
    const log = new SessionEventLog('s1');
    log.gatePublished();
    log.append(chunk('a'));
    log.append(chunk('b'));
    expect(log.visibleLastId).toBe(0);
    expect(log.publishableLastId).toBe(2);
    log.markPublished(1);
    expect(log.eventsAfter(0).map((e) => e.id)).toEqual([1]);
    log.append(finalEvent);
    // The ending may be published only once stored; visible only once published too.
    expect(log.publishableLastId).toBe(2);
    log.markStored(3);
    expect(log.publishableLastId).toBe(3);
    expect(log.finishedVisible).toBe(false);
    log.markPublished(3);
    expect(log.finishedVisible).toBe(true);
  });

  it('is not gated without a publisher (one process)', () => {
    const log = new SessionEventLog('s1');
    log.append(chunk('a'));
    expect(log.visibleLastId).toBe(1);
  });

  it('copies events of another instance with their ids, once each, visible at once', () => {
    const log = new SessionEventLog('s1');
    const data = (text: string) =>
      JSON.stringify({ sessionId: 's1', modelId: 'm', chunk: text, timestamp: 't' });
    log.appendCopied(4, 'model_chunk', data('x'));
    expect(log.appendCopied(4, 'model_chunk', data('again'))).toBeUndefined();
    log.appendCopied(5, 'model_chunk', data('y'));
    expect(log.eventsAfter(0).map((e) => [e.id, e.event.type === 'model_chunk' && e.event.chunk])).toEqual([
      [4, 'x'],
      [5, 'y'],
    ]);
    log.appendCopied(
      6,
      'comparison_error',
      JSON.stringify({ sessionId: 's1', error: 'cancelled', timestamp: 't' }),
    );
    expect(log.finishedVisible).toBe(true);
  });

  it('cut where readers are: the unpublished tail is dropped and the log ends there', () => {
    const log = new SessionEventLog('s1');
    log.gatePublished();
    for (const t of ['a', 'b', 'c']) log.append(chunk(t));
    log.markPublished(2);
    let notified = 0;
    log.subscribe(() => notified++);
    log.cutAtVisible();
    expect(log.lastId).toBe(2);
    expect(log.finishedVisible).toBe(true);
    expect(log.bytesAfter(0)).toBe(log.events.reduce((n, e) => n + Buffer.byteLength(e.frame), 0));
    expect(notified).toBeGreaterThan(0);
  });
});
