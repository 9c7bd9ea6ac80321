// The fields of a comparison (as GET /comparison/:id returns it) that exports and share snapshots read.

/** One model's answer; `costSource` is absent until the engine records where a cost came from. */
export interface ResponseView {
  modelId: string;
  /** null in a blind session before its reveal. */
  provider: string | null;
  status: string;
  response: string;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  costSource?: string | null;
  timeToFirstTokenMs: number | null;
  responseTimeMs: number | null;
  tokensPerSecond?: number | null;
  errorMessage: string | null;
}

export interface SessionView {
  id: string;
  prompt: string;
  system?: string | null;
  temperature?: number | null;
  maxTokens?: number | null;
  status: string;
  errorMessage?: string | null;
  responses: readonly ResponseView[];
  metrics?: { totalTokens: number; totalCost: number; averageResponseTime: number } | null;
  blind?: boolean;
  revealed?: boolean;
  createdAt: string;
}
