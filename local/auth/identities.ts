/**
 * Manual identity linking, as supabase/auth `internal/api/identity.go` does it, behind
 * `[auth] enable_manual_linking` (GoTrue's `requireManualLinkingEnabled`):
 *
 * - `GET /user/identities/authorize` (in oauth.ts) sends a signed-in user to the provider with
 *   their id in the OAuth state; the callback then links the provider's identity to them
 *   (`linkIdentityToUser`) instead of signing someone in, and hands back a session as usual.
 * - `DELETE /user/identities/:identity_id` unlinks one, never the last; the user's email then
 *   follows the remaining identities, and `app_metadata.providers` is rewritten.
 *
 * `getUserIdentities()` is `GET /user`'s `identities`.
 */
import { Hono } from "hono";
import type postgres from "postgres";
import { AuthError, badRequest, unprocessable } from "./errors.ts";
import type { AuthConfig } from "./config.ts";
import type { AuthCtx } from "./context.ts";
import { signedInUser } from "./caller.ts";
import type { ProviderUser } from "./oauth_providers.ts";
import {
  findUserById,
  identitiesOf,
  type IdentityRow,
  type Tx,
  updateAppMetadataProviders,
  type UserRow,
} from "./users.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 404 `manual_linking_disabled` unless `enable_manual_linking` is on. */
export function requireManualLinking(cfg: AuthConfig): void {
  if (!cfg.manualLinking) {
    throw new AuthError(404, "manual_linking_disabled", "Manual linking is disabled");
  }
}

/** Runs `write`; a unique violation (another user has that address) becomes `conflict`. */
async function unlessTaken(write: Promise<unknown>, conflict: () => AuthError): Promise<void> {
  try {
    await write;
  } catch (e) {
    if ((e as { code?: string }).code === "23505") throw conflict();
    throw e;
  }
}

/**
 * Links the provider's identity to `targetId` (the OAuth callback of a linking request).
 * An identity already linked, to this user or another, is 422 `identity_already_exists`.
 */
export async function linkIdentityToUser(
  tx: Tx,
  targetId: string,
  provider: string,
  pu: ProviderUser,
): Promise<UserRow> {
  const target = await findUserById(tx, targetId);
  if (!target) {
    throw new AuthError(404, "user_not_found", "Linking target user not found");
  }
  const [known] = await tx<{ user_id: string }[]>`
    select user_id from auth.identities where provider = ${provider} and provider_id = ${pu.id}`;
  if (known) {
    throw unprocessable(
      "identity_already_exists",
      known.user_id === target.id
        ? "Identity is already linked"
        : "Identity is already linked to another user",
    );
  }
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${pu.id}, ${target.id}, ${
    tx.json(pu.data as postgres.JSONValue)
  }, ${provider}, now(), now(), now())`;
  if (!target.email) {
    // An account without an address (an anonymous one) takes the provider's, if verified.
    if (!pu.emailVerified || !pu.email) {
      throw unprocessable(
        "email_not_confirmed",
        `Unverified email with ${provider}. Verify the email with ${provider} and link again`,
      );
    }
    await unlessTaken(
      tx`update auth.users set email = ${pu.email.toLowerCase()},
           email_confirmed_at = coalesce(email_confirmed_at, now()), is_anonymous = false
         where id = ${target.id}`,
      () =>
        badRequest("email_exists", "A user with this email address has already been registered"),
    );
  }
  await updateAppMetadataProviders(tx, target.id);
  return (await findUserById(tx, target.id))!;
}

/** The identity's email, and whether its provider verified it. */
const emailOf = (i: IdentityRow) => ({
  email: typeof i.identity_data?.email === "string" ? i.identity_data.email as string : "",
  verified: i.identity_data?.email_verified === true,
});

/**
 * After an unlink: keep the user's email if an identity still has it, else take the best
 * remaining one (verified, then unverified, then none; oldest first), as GoTrue's
 * `UpdateUserEmailFromIdentities` does.
 */
async function emailFromIdentities(tx: Tx, cfg: AuthConfig, user: UserRow): Promise<void> {
  const left = await identitiesOf(tx, user.id);
  const current = (user.email ?? "").toLowerCase();
  if (left.some((i) => emailOf(i).email.toLowerCase() === current)) return;
  const rank = (i: IdentityRow) => !emailOf(i).email ? 2 : emailOf(i).verified ? 0 : 1;
  const best = [...left].sort((a, b) => rank(a) - rank(b))[0];
  if (!best) return;
  const { email, verified } = emailOf(best);
  await unlessTaken(
    tx`update auth.users set email = ${email ? email.toLowerCase() : null},
         email_confirmed_at = ${verified || !cfg.confirmEmail ? tx`email_confirmed_at` : null},
         updated_at = now()
       where id = ${user.id}`,
    () =>
      unprocessable(
        "email_conflict_identity_not_deletable",
        "Unable to unlink identity due to email conflict",
      ),
  );
}

export function identityRoutes(ctx: AuthCtx) {
  const app = new Hono();

  app.delete("/user/identities/:identity_id", async (c) => {
    const { user } = await signedInUser(ctx, c);
    requireManualLinking(ctx.cfg);
    const id = c.req.param("identity_id");
    if (!UUID.test(id)) {
      throw new AuthError(404, "validation_failed", "identity_id must be an UUID");
    }
    await ctx.sql.begin(async (tx) => {
      const identities = await identitiesOf(tx, user.id);
      if (identities.length <= 1) {
        throw unprocessable(
          "single_identity_not_deletable",
          "User must have at least 1 identity after unlinking",
        );
      }
      const doomed = identities.find((i) => i.id === id);
      if (!doomed) throw unprocessable("identity_not_found", "Identity doesn't exist");
      await tx`delete from auth.identities where id = ${doomed.id}`;
      if (doomed.provider === "phone") {
        await tx`update auth.users set phone = null, phone_confirmed_at = null where id = ${user.id}`;
      } else {
        await emailFromIdentities(tx, ctx.cfg, user);
      }
      await updateAppMetadataProviders(tx, user.id);
    });
    return c.json({});
  });

  return app;
}
