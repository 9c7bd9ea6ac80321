// The demo provider: simulated models that stream a deterministic answer locally, free and with no network.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChatMessage,
  type GenerateRequest,
  type Provider,
  ProviderError,
  type StreamPart,
} from './types.js';

export interface DemoProviderOptions {
  /** Multiplies every simulated delay; 1 is realistic pacing, 0 streams as fast as the event loop allows. */
  delayScale?: number;
}

interface Pace {
  /** Delay before the first chunk, ms (min, max). */
  firstChunk: [number, number];
  /** Delay between chunks, ms (min, max). */
  betweenChunks: [number, number];
  /** How many sentences the answer has (min, max). */
  sentences: [number, number];
}

// One pace per demo model id; a demo model missing here streams like demo-fast.
const paces: Record<string, Pace> = {
  'demo-fast': { firstChunk: [60, 140], betweenChunks: [10, 20], sentences: [5, 6] },
  'demo-slow': { firstChunk: [700, 1200], betweenChunks: [25, 45], sentences: [6, 8] },
};
const defaultPace = paces['demo-fast'] as Pace;

const openers = [
  (topic: string) => `Here is a simulated answer to "${topic}".`,
  (topic: string) => `You asked: "${topic}". This is a demo reply, not a real model's.`,
  (topic: string) => `A quick, simulated take on "${topic}" follows.`,
  (topic: string) => `Thinking about "${topic}" (in a simulated way), a few points stand out.`,
];

const body = [
  'This text comes from the built-in demo provider, which runs on this server and calls no model at all.',
  'It streams in small chunks so you can watch time to first token and total time side by side.',
  'Token counts are estimated at about four characters per token, and the price of every token is zero.',
  'Set OPENAI_API_KEY or ANTHROPIC_API_KEY on the server to compare real models instead.',
  'The same prompt always gets the same answer from the same demo model, which makes results easy to check.',
  'A different prompt gets a different answer, so the comparison view has something to compare.',
  'In a real comparison you would judge accuracy, tone, length and cost, and often latency too.',
  'A careful answer would first restate the question, then weigh the options, then conclude.',
  'Shorter answers cost less and arrive sooner, but sometimes leave out the detail that matters.',
  'Longer answers can be more thorough, at the price of more output tokens and more waiting.',
  'Streaming shows partial text early, which feels faster even when the total time is the same.',
];

const closers = [
  'That is all this simulated model has to say.',
  'In short: a demo answer, streamed like the real thing.',
  'Compare it with the other column to see how the models differ.',
  'End of the simulated answer.',
];

/** A small seeded generator (mulberry32): the same seed always gives the same sequence. */
function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const between = (random: Random, [min, max]: [number, number]) =>
  min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** The first words of the prompt, for the answer to quote; at most 60 characters. */
function topicOf(prompt: string): string {
  const flat = prompt.replace(/\s+/g, ' ').replace(/"/g, "'").trim();
  const head = flat.split(' ').slice(0, 8).join(' ').slice(0, 60);
  return head.length < flat.length ? `${head}…` : head;
}

/** The whole answer and its chunks: a function of the model id, system prompt and prompt only. */
export function demoAnswer(modelId: string, prompt: string, system = '') {
  const digest = createHash('sha256').update(`${modelId}\n${system}\n${prompt}`).digest();
  const random = seededRandom(digest.readUInt32BE(0));
  const pace = paces[modelId] ?? defaultPace;
  const pool = [...body];
  const sentences = [pick(random, openers)(topicOf(prompt) || 'an empty prompt')];
  const count = between(random, pace.sentences);
  for (let i = 1; i < count - 1 && pool.length > 0; i++) {
    sentences.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as string);
  }
  sentences.push(pick(random, closers));
  const text = sentences.join(' ');

  // One or two words per chunk, as real models stream; a long word sometimes arrives in pieces.
  const words = text.match(/\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; ) {
    const take = random() < 0.35 ? 2 : 1;
    const piece = words.slice(i, i + take).join('');
    i += take;
    if (piece.length > 16 || (piece.length > 9 && random() < 0.3)) {
      // A long piece arrives in parts of 3 to 12 characters.
      for (let at = 0; at < piece.length; ) {
        const size = 3 + Math.floor(random() * 10);
        chunks.push(piece.slice(at, at + size));
        at += size;
      }
    } else {
      chunks.push(piece);
    }
  }
  return { text, chunks, random, pace };
}

/** What the simulated answer depends on: the system prompt and the latest user turn. */
function demoInput(messages: readonly ChatMessage[]) {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n');
  const prompt = messages.findLast((m) => m.role === 'user')?.content ?? '';
  return { prompt, system };
}

/** About four characters per token, like the providers' own rule of thumb for English. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

export function createDemoProvider(options: DemoProviderOptions = {}): Provider {
  const scale = options.delayScale ?? 1;

  return {
    id: 'demo',
    async *stream(request: GenerateRequest): AsyncGenerator<StreamPart> {
      const { signal, model } = request;
      const cancelled = () => new ProviderError('cancelled', 'cancelled', 'demo');
      const wait = async (ms: number) => {
        if (ms * scale <= 0) {
          if (signal.aborted) throw cancelled();
          return;
        }
        try {
          await sleep(ms * scale, undefined, { signal });
        } catch {
          throw cancelled();
        }
      };
      if (signal.aborted) throw cancelled();

      const { prompt, system } = demoInput(request.messages);
      const { chunks, random, pace } = demoAnswer(model.id, prompt, system);
      const maxChars = (request.maxTokens ?? model.defaultMaxTokens) * 4;
      let sent = '';
      let truncated = false;
      for (const [i, chunk] of chunks.entries()) {
        await wait(between(random, i === 0 ? pace.firstChunk : pace.betweenChunks));
        const room = maxChars - sent.length;
        const text = chunk.length > room ? chunk.slice(0, room) : chunk;
        if (text) {
          sent += text;
          yield { type: 'text', text };
        }
        if (text.length < chunk.length) {
          truncated = true;
          break;
        }
      }
      if (signal.aborted) throw cancelled();
      const input = request.messages.map((m) => m.content).join('');
      yield {
        type: 'finish',
        finishReason: truncated ? 'length' : 'stop',
        usage: { inputTokens: Math.max(1, estimateTokens(input)), outputTokens: estimateTokens(sent) },
      };
    },
  };
}
