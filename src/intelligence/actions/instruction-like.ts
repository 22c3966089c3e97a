// Sentences that address a language model rather than a reader ("ignore all previous instructions…").
// They are content, so nothing obeys them; the offline actions also keep them out of summaries and
// SEO texts, where an editor accepting the suggestion would publish them.

const PATTERNS: readonly RegExp[] = [
  /\b(ignore|disregard|forget|override|bypass)\b[^.!?]{0,60}\b(instructions?|prompts?|rules|guidelines|directions|system)\b/i,
  /\b(system|developer|hidden)\s+(prompt|message|instructions?)\b/i,
  /\byou\s+are\s+(now|no\s+longer)\b/i,
  /\b(act|behave|pretend)\s+as\s+(if\s+you\s+were\s+)?(an?\s+)?(admin|administrator|root|developer|unrestricted|jailbroken)\b/i,
  /\b(jailbreak|DAN mode|prompt injection)\b/i,
  /\bas an (ai|a\.i\.|language model|assistant)\b/i,
];

export function looksLikeInstruction(sentence: string): boolean {
  return PATTERNS.some((p) => p.test(sentence));
}
