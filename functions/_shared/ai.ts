/**
 * The chat's AI features behind one interface, with a local default that needs no network:
 * sentiment from a lexicon (npm `sentiment`, AFINN-165) and extractive channel summaries (the
 * sentences that carry the channel's most frequent words, in their original order). An
 * external model provider can implement the same interface.
 */
import Sentiment from "sentiment";

export interface AiProvider {
  readonly name: string;
  sentiment(text: string): Promise<{ score: number; label: "positive" | "neutral" | "negative" }>;
  summarize(
    messages: { author: string; content: string }[],
    maxSentences?: number,
  ): Promise<string[]>;
}

const STOP = new Set(
  ("a an and are as at be but by for from has have i if in is it its me my of on or our so that the their " +
    "them there they this to was we were what when which who will with you your just not do does did can " +
    "could would should about into than then too very also any all some more most such only own same")
    .split(" "),
);

export function localAi(): AiProvider {
  const analyzer = new Sentiment();
  return {
    name: "local",
    sentiment(text) {
      const { comparative } = analyzer.analyze(text);
      const label = comparative > 0.05 ? "positive" : comparative < -0.05 ? "negative" : "neutral";
      return Promise.resolve({ score: Math.round(comparative * 1000) / 1000, label });
    },
    summarize(messages, maxSentences = 3) {
      const sentences = messages.flatMap((m, i) =>
        m.content.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter((s) =>
          s.split(/\s+/).length >= 3
        )
          .map((s, j) => ({ text: s, author: m.author, order: i * 1000 + j }))
      );
      const words = (s: string) =>
        s.toLowerCase().match(/[\p{L}\p{N}']+/gu)?.filter((w) => w.length > 2 && !STOP.has(w)) ??
          [];
      const freq = new Map<string, number>();
      for (const s of sentences) {
        for (const w of new Set(words(s.text))) freq.set(w, (freq.get(w) ?? 0) + 1);
      }
      const scored = sentences.map((s) => {
        const ws = words(s.text);
        return {
          ...s,
          score: ws.reduce((a, w) => a + (freq.get(w) ?? 0), 0) / Math.max(1, ws.length),
        };
      });
      const best = scored.sort((a, b) => b.score - a.score).slice(0, maxSentences).sort((a, b) =>
        a.order - b.order
      );
      return Promise.resolve(best.map((s) => `${s.author}: ${s.text}`));
    },
  };
}
