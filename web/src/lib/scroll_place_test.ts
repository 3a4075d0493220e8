import assert from "node:assert/strict";
import { firstBelow } from "./scroll_place.ts";

Deno.test("firstBelow finds the first row reaching below the view's top", () => {
  // Rows of varied heights, bottoms ascending.
  const bottoms = [10, 40, 45, 90, 200, 210];
  const at = (top: number) => firstBelow(bottoms.length, (i) => bottoms[i]!, top);
  assert.equal(at(0), 0);
  assert.equal(at(10), 1, "a row that ends at the top is not seen");
  assert.equal(at(41), 2);
  assert.equal(at(100), 4);
  assert.equal(at(210), 6, "past the end: none");
  assert.equal(firstBelow(0, () => 0, 5), 0);
});
