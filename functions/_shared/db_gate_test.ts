import assert from "node:assert/strict";
import type { Sql } from "./db.ts";
import { createDbGate, isCommitting, isConnectionError, markCommitting } from "./db_gate.ts";
import { DependencyDownError } from "./errors.ts";

/** A stand-in for postgres.js's `sql` that only answers the gate's ping, as told. */
function pingable(answers: () => "ok" | "hang" | "refuse") {
  const sql = () => {
    const a = answers();
    const p = a === "ok"
      ? Promise.resolve([{ ok: 1 }])
      : a === "refuse"
      ? Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))
      : new Promise(() => {});
    p.catch(() => {});
    return Object.assign(p, { cancel() {} });
  };
  return sql as unknown as Sql;
}

const refused = () =>
  Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));

Deno.test("db gate: a connection error marks the database down; later calls fail at once until a ping answers", async () => {
  let db: "ok" | "refuse" = "refuse";
  const changes: boolean[] = [];
  const gate = createDbGate(pingable(() => db), {
    probeEveryMs: 10,
    onChange: (up) => changes.push(up),
  });
  try {
    await assert.rejects(gate.run(refused), DependencyDownError);
    assert.equal(gate.up, false);
    let ran = false;
    await assert.rejects(
      gate.run(() => {
        ran = true;
        return Promise.resolve(1);
      }),
      DependencyDownError,
    );
    assert.equal(ran, false, "nothing is queued while the database is down");
    db = "ok";
    for (let i = 0; i < 100 && !gate.up; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(gate.up, true);
    assert.equal(await gate.run(() => Promise.resolve(42)), 42);
    assert.deepEqual(changes, [false, true]);
  } finally {
    gate.close();
  }
});

Deno.test("db gate: a hung operation whose ping fails is abandoned quickly and told so", async () => {
  const gate = createDbGate(pingable(() => "hang"), {
    probeAfterMs: 30,
    pingTimeoutMs: 30,
    probeEveryMs: 10,
  });
  try {
    let signal: AbortSignal | undefined;
    const t0 = performance.now();
    await assert.rejects(
      gate.run((s) => {
        signal = s;
        return new Promise(() => {});
      }),
      DependencyDownError,
    );
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(signal?.aborted, true, "the abandoned operation learns it through its signal");
    assert.equal(gate.up, false);
  } finally {
    gate.close();
  }
});

Deno.test("db gate: a passed deadline abandons the operation with 503, the database stays up", async () => {
  const gate = createDbGate(pingable(() => "ok"), { probeAfterMs: 10_000 });
  try {
    const deadline = AbortSignal.timeout(20);
    await assert.rejects(gate.run(() => new Promise(() => {}), deadline), DependencyDownError);
    assert.equal(gate.up, true);
    assert.equal(await gate.run(() => Promise.resolve("fine")), "fine");
  } finally {
    gate.close();
  }
});

Deno.test("db gate: query errors pass through untouched and do not mark the database down", async () => {
  const gate = createDbGate(pingable(() => "ok"));
  try {
    const bad = Object.assign(new Error("duplicate key"), { code: "23505" });
    await assert.rejects(gate.run(() => Promise.reject(bad)), (e) => e === bad);
    assert.equal(gate.up, true);
  } finally {
    gate.close();
  }
});

Deno.test("isConnectionError tells unreachable servers from wrong queries", () => {
  for (
    const code of [
      "ECONNREFUSED",
      "ECONNRESET",
      "CONNECT_TIMEOUT",
      "CONNECTION_CLOSED",
      "57P01",
      "57P03",
      "08006",
      "53300",
    ]
  ) {
    assert.equal(isConnectionError({ code }), true, code);
  }
  for (const code of ["23505", "42501", "22P02", undefined]) {
    assert.equal(isConnectionError({ code }), false, String(code));
  }
});

Deno.test("db gate: an operation whose COMMIT was sent is waited for, not answered 503", async () => {
  const gate = createDbGate(pingable(() => "ok"), { probeAfterMs: 10_000 });
  try {
    const deadline = AbortSignal.timeout(20);
    const result = await gate.run(async (signal) => {
      markCommitting(signal);
      await new Promise((r) => setTimeout(r, 80));
      return "committed";
    }, deadline);
    assert.equal(result, "committed");
    assert.equal(isCommitting(deadline), true, "the request's deadline knows it too");
  } finally {
    gate.close();
  }
});
