/**
 * `?page=&per_page=` of the admin lists, read as GoTrue's shared.Paginate reads them (unsigned
 * decimal integers; page at least 1, per_page 1 to 1000), with its error: 400
 * `validation_failed` "Bad Pagination Parameters: <Go's strconv error>".
 */
import { badRequest } from "./errors.ts";

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 1000;
const MAX_PAGE = 2 ** 31 - 1;

/** Go's strconv.ParseUint(s, 10, 64), or its error text. */
function parseUint(s: string): bigint | string {
  if (!/^[0-9]+$/.test(s)) return `strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = BigInt(s);
  if (n > 2n ** 64n - 1n) {
    return `strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`;
  }
  return n;
}

/**
 * @example
 * paginate({ page: "2" }) // { page: 2, perPage: 50 }
 * paginate({ page: "-1" }) // throws 400 "Bad Pagination Parameters: strconv.ParseUint: parsing \"-1\": invalid syntax"
 */
export function paginate(
  query: { page?: string | undefined; per_page?: string | undefined },
): { page: number; perPage: number } {
  const fail = (why: string) =>
    badRequest("validation_failed", `Bad Pagination Parameters: ${why}`);
  let page = 1n;
  let perPage = BigInt(DEFAULT_PER_PAGE);
  if (query.page) {
    const p = parseUint(query.page);
    if (typeof p === "string") throw fail(p);
    if (p === 0n) throw fail("page must be greater than 0");
    if (p > BigInt(MAX_PAGE)) throw fail("page exceeds maximum allowed value");
    page = p;
  }
  if (query.per_page) {
    const p = parseUint(query.per_page);
    if (typeof p === "string") throw fail(p);
    if (p === 0n) throw fail("per_page must be greater than 0");
    if (p > BigInt(MAX_PER_PAGE)) throw fail(`per_page must not exceed ${MAX_PER_PAGE}`);
    perPage = p;
  }
  return { page: Number(page), perPage: Number(perPage) };
}
