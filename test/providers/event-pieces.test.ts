// Event streams re-cut at event ends: the same bytes, whole events per piece, one huge event refused.
import { describe, expect, it } from 'vitest';
import { EventEnds, eventPieces } from '../../src/providers/event-pieces.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (parts: Uint8Array[]) => Buffer.concat(parts).toString('utf8');

/** A stream of these reads, and whether the consumer cancelled it. */
function upstream(reads: Uint8Array[]) {
  const state = { cancelled: false, pulls: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = reads[state.pulls++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return { out };
      out.push(value);
    }
  } catch (error) {
    return { out, error };
  }
}

describe('EventEnds', () => {
  const sample = 'data: a\n\nevent: x\r\ndata: b\r\n\r\ndata: c\r\rdata: d\nmore\n\n\n: c\n\n';
  const whole = [9, 30, 39, 53, 59];

  it('finds the ends of \\n\\n, \\r\\n\\r\\n and \\r\\r events, not the third newline of a run', () => {
    expect(new EventEnds().scan(bytes(sample))).toEqual(whole);
  });

  it('finds the same ends whichever reads the stream arrives in', () => {
    const all = bytes(sample);
    for (let a = 0; a <= all.length; a++)
      for (let b = a; b <= all.length; b += 3) {
        const ends = new EventEnds();
        const found = [
          ...ends.scan(all.subarray(0, a)),
          ...ends.scan(all.subarray(a, b)).map((i) => i + a),
          ...ends.scan(all.subarray(b)).map((i) => i + b),
        ];
        expect(found, `cut at ${a}, ${b}`).toEqual(whole);
      }
  });
});

describe('eventPieces', () => {
  it('hands on the same bytes, each piece whole events up to the piece size, a long event whole', async () => {
    const long = `data: ${'x'.repeat(300)}\n\n`;
    const all = bytes(`${'data: 1\n\n'.repeat(100)}${long}data: é😀\n\n${'data: 2\n\n'.repeat(50)}`);
    const reads = [
      all.subarray(0, 500),
      all.subarray(500, 1000),
      all.subarray(1000, 1001),
      all.subarray(1001),
    ];
    const { out, error } = await readAll(eventPieces(upstream(reads).stream, 64));
    expect(error).toBeUndefined();
    expect(text(out)).toBe(Buffer.from(all).toString('utf8'));
    const pieces = out.map((p) => Buffer.from(p).toString('utf8'));
    for (const p of pieces) {
      expect(p.endsWith('\n\n'), JSON.stringify(p)).toBe(true);
      expect(Buffer.byteLength(p) <= 64 || p === long, JSON.stringify(p)).toBe(true);
    }
    expect(pieces).toContain(long);
  });

  it('passes a read of whole events as it is, and hands on an unfinished rest when the stream ends', async () => {
    const read = bytes('data: 1\n\ndata: 2\n\n');
    const { out } = await readAll(eventPieces(upstream([read, bytes('data: 3')]).stream, 2048));
    expect(out[0]).toBe(read);
    expect(text(out)).toBe('data: 1\n\ndata: 2\n\ndata: 3');
  });

  it('fails once one event passes the limit, before its end arrives, and cancels the upstream', async () => {
    const tooLarge = new Error('too large');
    const limit = { maxBytes: 1000, tooLarge: () => tooLarge };
    const line = bytes('data: 0,\n'.repeat(20));
    const reads = [bytes('data: ok\n\n'), ...Array.from({ length: 100 }, () => line), bytes('\n')];
    const { stream, state } = upstream(reads);
    const { out, error } = await readAll(eventPieces(stream, 2048, limit));
    expect(error).toBe(tooLarge);
    expect(text(out)).toBe('data: ok\n\n');
    expect(state.pulls).toBeLessThan(10);
    expect(state.cancelled).toBe(true);
  });

  it('lets any number of events under the limit through', async () => {
    const limit = { maxBytes: 100, tooLarge: () => new Error('too large') };
    const reads = Array.from({ length: 50 }, () => bytes(`data: ${'y'.repeat(80)}\r\r`));
    const { out, error } = await readAll(eventPieces(upstream(reads).stream, 2048, limit));
    expect(error).toBeUndefined();
    expect(out).toHaveLength(50);
  });
});
