/**
 * Objects' bytes on disk, at `<root>/<bucket>/<name>`, always changed together with their row:
 * new bytes wait in `<root>/.tmp/` and are put in place inside the row's transaction, what was
 * there before is kept aside until the commit and comes back if it fails. No row without its
 * file, no file the row does not describe.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { invalidKey, notFound, StorageError } from "./errors.ts";

/** Bytes put in place: `undo` before a failed commit, `finish` after a good one. */
export interface Placed {
  undo(): Promise<void>;
  finish(): Promise<void>;
}

/** A fresh temporary path under the store. */
export function tmpPath(root: string): string {
  const dir = join(root, ".tmp");
  mkdirSync(dir, { recursive: true });
  return join(dir, crypto.randomUUID());
}

/** A name the file system cannot hold here (too long, or a file where a folder must be). */
function isPathClash(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? "";
  return ["ENAMETOOLONG", "ENOTDIR", "EISDIR", "ENOTEMPTY", "EEXIST"].includes(code) ||
    e instanceof Deno.errors.NotADirectory || e instanceof Deno.errors.IsADirectory ||
    e instanceof Deno.errors.AlreadyExists;
}

/**
 * Moves the file at `from` to `dest` (the bytes of object `name`), keeping what was at `dest`
 * aside. `undo` brings the old bytes back and, with `returnTo`, the moved ones to where they
 * came from (else deletes them).
 */
export async function place(
  root: string,
  from: string,
  dest: string,
  name: string,
  opts: { returnTo?: string } = {},
): Promise<Placed> {
  const backup = join(root, ".tmp", `${crypto.randomUUID()}.old`);
  let kept = false;
  try {
    mkdirSync(dirname(dest), { recursive: true });
    mkdirSync(dirname(backup), { recursive: true });
    try {
      const st = await Deno.lstat(dest);
      if (st.isDirectory) throw invalidKey(name);
      await Deno.rename(dest, backup);
      kept = true;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await Deno.rename(from, dest);
  } catch (e) {
    if (kept) await Deno.rename(backup, dest).catch(() => {});
    if (e instanceof StorageError) throw e;
    if (e instanceof Deno.errors.NotFound) throw notFound();
    if (isPathClash(e)) throw invalidKey(name);
    throw e;
  }
  return {
    undo: async () => {
      if (opts.returnTo) await Deno.rename(dest, opts.returnTo).catch(() => {});
      else await Deno.remove(dest).catch(() => {});
      if (kept) await Deno.rename(backup, dest).catch(() => {});
    },
    finish: async () => {
      if (kept) await Deno.remove(backup).catch(() => {});
    },
  };
}

/** Copies the bytes at `src` to `dest` (object `name`), as `place` puts them. */
export async function copyInto(
  root: string,
  src: string,
  dest: string,
  name: string,
): Promise<Placed> {
  const tmp = tmpPath(root);
  try {
    await Deno.copyFile(src, tmp);
    return await place(root, tmp, dest, name);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    if (e instanceof Deno.errors.NotFound) throw notFound();
    throw e;
  }
}

/** Deletes the bytes of removed objects (their rows are already gone). */
export async function removeFiles(root: string, bucket: string, names: string[]): Promise<void> {
  for (const name of names) await Deno.remove(join(root, bucket, name)).catch(() => {});
}
