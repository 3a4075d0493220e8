import postgres from "postgres";
import { splitStatements } from "../local/db/sql_split.ts";
import { testDatabase } from "./_helpers/db.ts";
Deno.test("debug", async () => {
  await using db = await testDatabase();
  const c0 = postgres(db.url, { max: 1, onnotice: () => {} });
  await c0.unsafe(
    await Deno.readTextFile("/work/main/supabase/tests/database/000_setup_test_helpers.test.sql"),
  ).simple();
  await c0.end();
  const c = postgres(db.url, { max: 1, onnotice: () => {} });
  for (const st of splitStatements(await Deno.readTextFile(Deno.env.get("F")!))) {
    try {
      const r = await c.unsafe(st).simple();
      const v = JSON.stringify(r).slice(0, 200);
      if (/not ok/.test(v)) console.log("FAIL", v);
    } catch (e) {
      console.log("ERR", (e as Error).message, "\n   in:", st.slice(0, 200));
      break;
    }
  }
  await c.end();
});
