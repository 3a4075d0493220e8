import assert from "node:assert/strict";
import { leveledLogger, type LogLevel } from "./log.ts";

Deno.test("leveledLogger keeps the lines at or above LOG_LEVEL", () => {
  const seen: LogLevel[] = [];
  const log = leveledLogger("warn", (level) => seen.push(level));
  for (const level of ["debug", "info", "warn", "error"] as const) log(level, "x");
  assert.deepEqual(seen, ["warn", "error"]);
  const all: LogLevel[] = [];
  leveledLogger("debug", (level) => all.push(level))("debug", "x");
  assert.deepEqual(all, ["debug"]);
});
