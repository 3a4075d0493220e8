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
  /** The @assistant's reply to `question`, given the channel messages search found for it. */
  answer(question: string, context: { author: string; content: string }[]): Promise<string>;
  /** Optional model check in moderation: "flag" sends the message to the moderators' queue. */
  review?(text: string): Promise<"ok" | "flag">;
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
    answer(_question, context) {
      if (!context.length) {
        return Promise.resolve("I could not find anything about that in this channel yet.");
      }
      const lines = context.slice(0, 3).map((m) => `• ${m.author}: ${m.content.slice(0, 200)}`);
      return Promise.resolve(`Here is what this channel says about it:\n${lines.join("\n")}`);
    },
  };
}

/**
 * An OpenAI-compatible chat-completions provider (AI_PROVIDER_URL, AI_API_KEY, AI_MODEL). Any
 * failure of the provider falls back to the local answer, so the feature never breaks.
 */
export function openAiCompatible(
  opts: {
    url: string;
    apiKey?: string | undefined;
    model?: string | undefined;
    fallback?: AiProvider;
  },
): AiProvider {
  const fallback = opts.fallback ?? localAi();
  const base = opts.url.replace(/\/+$/, "");
  async function complete(system: string, user: string): Promise<string> {
    const res = await fetch(`${base}/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: opts.model ?? "gpt-4o-mini",
        temperature: 0,
        messages: [{ role: "system", content: system }, { role: "user", content: user }],
      }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`provider answered ${res.status}`);
    const body = await res.json() as { choices?: { message?: { content?: string } }[] };
    const text = body.choices?.[0]?.message?.content;
    if (typeof text !== "string") throw new Error("provider gave no content");
    return text.trim();
  }
  return {
    name: "openai-compatible",
    async review(text) {
      try {
        const out = (await complete(
          "You review chat messages for a moderation queue. Answer FLAG if the message is abusive, hateful, " +
            "threatening or sexual harassment; otherwise answer OK. One word.",
          text,
        )).toUpperCase();
        return out.startsWith("FLAG") ? "flag" : "ok";
      } catch {
        return "ok"; // the model being down never blocks a message; the word lists still apply
      }
    },
    async answer(question, context) {
      try {
        const notes = context.map((m) => `${m.author}: ${m.content}`).join("\n");
        return await complete(
          "You are the assistant of a team chat. Answer briefly, using only these channel messages:\n" +
            notes,
          question,
        );
      } catch {
        return await fallback.answer(question, context);
      }
    },
    async sentiment(text) {
      try {
        const out = (await complete(
          "Classify the sentiment of the user's text. Answer with one word: positive, neutral or negative.",
          text,
        )).toLowerCase();
        const label = out.includes("positive")
          ? "positive"
          : out.includes("negative")
          ? "negative"
          : "neutral";
        return { score: label === "positive" ? 1 : label === "negative" ? -1 : 0, label };
      } catch {
        return await fallback.sentiment(text);
      }
    },
    async summarize(messages, maxSentences = 3) {
      try {
        const transcript = messages.map((m) => `${m.author}: ${m.content}`).join("\n");
        const out = await complete(
          `Summarize this chat in at most ${maxSentences} short lines, one per line, each starting with who said it.`,
          transcript,
        );
        return out.split("\n").map((l) => l.replace(/^[-*\d.\s]+/, "").trim()).filter(Boolean)
          .slice(0, maxSentences);
      } catch {
        return await fallback.summarize(messages, maxSentences);
      }
    },
  };
}
