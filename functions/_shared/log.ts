/**
 * Structured JSON logs: one object per line on stdout (errors on stderr), so a log shipper
 * can parse them. Every request line carries the request id and, once known, the user id.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
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

/** A logger that drops everything (tests that assert on nothing logged). */
export const silentLogger: Logger = () => {};

function errors(_key: string, value: unknown) {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  }
  return value;
}
