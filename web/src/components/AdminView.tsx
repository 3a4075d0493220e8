export { AdminView } from "./admin/mod.ts";
