import assert from "node:assert/strict";
import { localAi } from "./ai.ts";

Deno.test("local AI: lexicon sentiment, and an extractive summary of the sentences that matter", async () => {
  const ai = localAi();
  assert.equal((await ai.sentiment("I love this, it is great and wonderful")).label, "positive");
  assert.equal((await ai.sentiment("this is terrible, awful and broken")).label, "negative");
  assert.equal((await ai.sentiment("the meeting is at noon")).label, "neutral");
  const summary = await ai.summarize([
    {
      author: "alice",
      content: "The release is planned for Friday. Please test the release build today.",
    },
    { author: "bob", content: "lol ok" },
    {
      author: "carol",
      content: "The release build fails on the login page. I am fixing the login page now.",
    },
    { author: "dave", content: "Anyone up for lunch?" },
  ], 2);
  assert.equal(summary.length, 2);
  assert.ok(summary.every((s) => /release|login/.test(s)), summary.join(" | "));
  assert.match(summary[0]!, /^alice: /, "kept in their original order, with their authors");
});

Deno.test("the OpenAI-compatible provider speaks chat completions to a local fake server, and falls back when it fails", async () => {
  const { openAiCompatible } = await import("./ai.ts");
  const seen: {
    auth: string | null;
    body: { model: string; messages: { role: string; content: string }[] };
  }[] = [];
  let fail = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (new URL(req.url).pathname !== "/v1/chat/completions" || req.method !== "POST") {
      return new Response("no", { status: 404 });
    }
    const body = await req.json();
    seen.push({ auth: req.headers.get("authorization"), body });
    if (fail) return Response.json({ error: { message: "overloaded" } }, { status: 503 });
    const system = body.messages[0].content as string;
    const content = system.startsWith("Classify")
      ? "Negative."
      : system.startsWith("You review")
      ? (String(body.messages[1].content).includes("hate") ? "FLAG" : "OK")
      : "- alice: the release moved to Friday\n- carol: login page fixed";
    return Response.json({
      id: "x",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content } }],
    });
  });
  try {
    const ai = openAiCompatible({
      url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/v1`,
      apiKey: "sk-local",
      model: "tiny",
    });
    assert.equal((await ai.sentiment("this is broken")).label, "negative");
    assert.deepEqual(await ai.summarize([{ author: "alice", content: "x y z" }]), [
      "alice: the release moved to Friday",
      "carol: login page fixed",
    ]);
    assert.equal(seen[0]!.auth, "Bearer sk-local");
    assert.equal(
      await ai.review!("I hate you all"),
      "flag",
      "the optional model check in moderation",
    );
    assert.equal(await ai.review!("see you at lunch"), "ok");
    assert.equal(seen[0]!.body.model, "tiny");
    fail = true;
    assert.equal(
      (await ai.sentiment("I love it, great")).label,
      "positive",
      "falls back to the local lexicon",
    );
    assert.equal(
      await ai.review!("I hate you all"),
      "ok",
      "a model that is down never blocks a message",
    );
  } finally {
    await server.shutdown();
  }
});
