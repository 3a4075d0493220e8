/**
 * Structured JSON logs: one object per line on stdout (errors on stderr), so a log shipper
 * can parse them. Every request line carries the request id and, once known, the user id.
 */
/** From least to most important. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
export type LogFields = Record<string, unknown>;
export type Logger = (level: LogLevel, msg: string, fields?: LogFields) => void;

/**
 * Writes `{ time, level, msg, ...fields }` as one JSON line.
 *
 * @example
 * jsonLogger("info", "request", { method: "GET", status: 200 });
 */
export const jsonLogger: Logger = (level, msg, fields = {}) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, errors);
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
};

/**
 * `jsonLogger` without the lines below `min` (LOG_LEVEL): `warn` in production drops the
 * per-request lines and keeps problems.
 *
 * @example
 * const log = leveledLogger("warn");
 * log("info", "request"); // dropped
 */
export function leveledLogger(min: LogLevel, to: Logger = jsonLogger): Logger {
  const floor = LOG_LEVELS.indexOf(min);
  if (floor <= 0) return to;
  return (level, msg, fields) => {
    if (LOG_LEVELS.indexOf(level) >= floor) to(level, msg, fields);
  };
}

/** A logger that drops everything (tests that assert on nothing logged). */
export const silentLogger: Logger = () => {};

function errors(_key: string, value: unknown) {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  }
  return value;
}
