import assert from "node:assert/strict";
import { splitStatements } from "./sql_split.ts";

Deno.test("splitStatements splits on top-level semicolons only", () => {
  assert.deepEqual(splitStatements("create table a (x int); select ';' as s;\nselect 2"), [
    "create table a (x int)",
    "select ';' as s",
    "select 2",
  ]);
});

Deno.test("splitStatements keeps dollar-quoted bodies whole", () => {
  const fn = `create function f() returns int language plpgsql as $body$
begin perform 1; return 2; end $body$`;
  assert.deepEqual(splitStatements(`${fn};\ndo $$ begin null; end $$;`), [
    fn,
    "do $$ begin null; end $$",
  ]);
});

Deno.test("splitStatements ignores semicolons in comments, identifiers and E-strings", () => {
  const sql = `-- a; comment
select "odd;name" from t; /* block; /* nested; */ still; */ select E'it\\'s; fine';`;
  const out = splitStatements(sql);
  assert.deepEqual(out.length, 2);
  assert.deepEqual(out[1], `/* block; /* nested; */ still; */ select E'it\\'s; fine'`);
});

Deno.test("splitStatements drops empty and comment-only statements", () => {
  assert.deepEqual(splitStatements(";;\n-- just a comment\n;select 1;"), ["select 1"]);
});
