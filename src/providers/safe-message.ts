// Upstream error text made safe to show a user: keys and key-like tokens redacted, length bounded.

// Provider keys (sk-..., sk-ant-..., sk-proj-...), bearer values and long opaque tokens of any origin.
const KEY_LIKE = [/\b(?:sk|pk|rk)-[\w*.-]{6,}/gi, /\bbearer\s+\S+/gi, /\b[\w-]{32,}\b/g];

/**
 * The upstream's own explanation (e.g. "Unsupported parameter: 'max_tokens'") is what makes an error
 * actionable, so we keep it, minus anything that looks like a credential. `secrets` are redacted
 * verbatim too: the configured key may have no recognisable shape.
 */
export function safeUpstreamMessage(message: unknown, secrets: readonly string[] = [], max = 300) {
  if (typeof message !== 'string') return undefined;
  let text = message.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret) text = text.split(secret).join('[redacted]');
  for (const pattern of KEY_LIKE) text = text.replace(pattern, '[redacted]');
  if (!text) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "OpenAI rejected the request (400): <upstream text>" or without the colon part when there is none. */
export function withDetail(summary: string, detail: string | undefined): string {
  return detail ? `${summary}: ${detail}` : summary;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
