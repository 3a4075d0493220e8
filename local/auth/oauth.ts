/**
 * OAuth sign-in (supabase/auth `external.go`): GET /authorize?provider=… redirects to the
 * provider with a signed state; the provider sends the browser back to /callback with a code,
 * which is exchanged for the provider's token and profile (oauth_providers.ts); the identity is
 * found, linked to an existing user by verified email, or created; then the browser goes to
 * `redirect_to` with a session in the fragment (implicit) or `?code=` for
 * exchangeCodeForSession (PKCE).
 *
 * Manual linking (`linkIdentity`) takes the same road from GET /user/identities/authorize: the
 * state names the signed-in user, and the callback links the identity to them
 * (identities.ts). A failed callback returns to `redirect_to` with GoTrue's `error`,
 * `error_code` and `error_description`, in the query and the fragment.
 */
import { type Context, Hono } from "hono";
import { jwtVerify, SignJWT } from "jose";
import type postgres from "postgres";
import { AuthError, badRequest, flowStateNotFound } from "./errors.ts";
import { redirectTarget } from "./redirects.ts";
import { sessionRedirectUrl, startSession } from "./sessions.ts";
import { type AuthCtx, clientIp, limit } from "./context.ts";
import { INSTANCE_ID, isBanned, type Tx, type UserRow } from "./users.ts";
import { oauthProvider, type ProviderTokens, type ProviderUser } from "./oauth_providers.ts";
import { linkIdentityToUser, requireManualLinking } from "./identities.ts";
import { signedInUser } from "./caller.ts";
import { createFlowState } from "./flow_state.ts";

interface State {
  provider: string;
  referrer: string;
  flow_state_id?: string;
  /** The signed-in user an identity is being linked to (linkIdentity). */
  linking_target_id?: string;
}

export function oauthRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const key = new TextEncoder().encode(ctx.cfg.jwtSecret);
  const callbackUrl = (name: string) =>
    ctx.cfg.providers[name]?.redirectUri || `${ctx.cfg.apiUrl}/callback`;
  const enabled = (name: string) => {
    const p = ctx.cfg.providers[name];
    if (!p?.enabled) {
      throw badRequest("validation_failed", "Unsupported provider: provider is not enabled");
    }
    return p;
  };

  /** The provider's authorize URL for this request (GoTrue's GetExternalProviderRedirectURL). */
  async function providerRedirectUrl(c: Context, linkingTargetId?: string): Promise<string> {
    const name = c.req.query("provider") ?? "";
    const p = enabled(name);
    const provider = await oauthProvider(name, p);
    const referrer = redirectTarget(ctx, c.req.query("redirect_to"));
    const state: State = {
      provider: name,
      referrer,
      ...(linkingTargetId ? { linking_target_id: linkingTargetId } : {}),
    };
    const challenge = c.req.query("code_challenge");
    if (challenge) {
      const pkce = { challenge, method: c.req.query("code_challenge_method") ?? "s256" };
      state.flow_state_id = await createFlowState(ctx.sql, {
        userId: null,
        pkce,
        method: "oauth",
        providerType: name,
      });
    }
    const signed = await new SignJWT({ ...state }).setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("10m").sign(key);
    const u = new URL(provider.authorizeUrl);
    u.searchParams.set("client_id", p.clientId);
    u.searchParams.set("redirect_uri", callbackUrl(name));
    u.searchParams.set("response_type", "code");
    u.searchParams.set("scope", [provider.scopes, c.req.query("scopes")].filter(Boolean).join(" "));
    u.searchParams.set("state", signed);
    return u.toString();
  }

  app.get("/authorize", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    return c.redirect(await providerRedirectUrl(c), 302);
  });

  // linkIdentity: auth-js asks with skip_http_redirect=true and sends the browser itself.
  app.get("/user/identities/authorize", async (c) => {
    const { user } = await signedInUser(ctx, c);
    requireManualLinking(ctx.cfg);
    const url = await providerRedirectUrl(c, user.id);
    if (c.req.query("skip_http_redirect") === "true") return c.json({ url });
    return c.redirect(url, 302);
  });

  const callback = async (c: Context) => {
    const q = c.req.method === "POST"
      ? Object.fromEntries((await c.req.formData()).entries()) as Record<string, string>
      : c.req.query();
    let state: State;
    try {
      state = (await jwtVerify(q.state ?? "", key, { algorithms: ["HS256"] }))
        .payload as unknown as State;
    } catch {
      return errorRedirect(
        c,
        ctx.cfg.siteUrl,
        new AuthError(400, "bad_oauth_state", "OAuth state parameter is invalid"),
      );
    }
    if (q.error) {
      // The provider's own OAuth error is passed on as it is, without an error_code.
      const p = new URLSearchParams({
        error: q.error,
        error_description: q.error_description ?? q.error,
      });
      return redirectWith(c, state.referrer, p);
    }
    try {
      if (!q.code) {
        throw badRequest("bad_oauth_callback", "OAuth callback with missing authorization code");
      }
      const p = enabled(state.provider);
      const provider = await oauthProvider(state.provider, p);
      const tokenRes = await fetch(provider.tokenUrl, {
        method: "POST",
        headers: {
          accept: "application/json",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: q.code,
          client_id: p.clientId,
          client_secret: p.secret,
          redirect_uri: callbackUrl(state.provider),
        }),
      });
      const tok = await tokenRes.json().catch(() => ({})) as Partial<ProviderTokens>;
      if (!tokenRes.ok || !tok.access_token) {
        throw new AuthError(500, "unexpected_failure", "Unable to exchange external code");
      }
      const tokens = tok as ProviderTokens;
      const pu = await provider.userOf(tokens, p.clientId);
      const req = { userAgent: c.req.header("user-agent"), ip: clientIp(c) };
      const out = await ctx.sql.begin(async (tx) => {
        const user = state.linking_target_id
          ? await linkIdentityToUser(tx, state.linking_target_id, state.provider, pu)
          : await upsertOAuthUser(tx, state.provider, pu);
        if (isBanned(user)) {
          throw badRequest("user_banned", "User is banned");
        }
        if (state.flow_state_id) {
          const [flow] = await tx<{ auth_code: string }[]>`
            update auth.flow_state set user_id = ${user.id},
              provider_access_token = ${tokens.access_token},
              provider_refresh_token = ${tokens.refresh_token ?? null},
              auth_code_issued_at = now(), updated_at = now()
            where id = ${state.flow_state_id} and user_id is null returning auth_code`;
          if (!flow) throw flowStateNotFound();
          return { code: flow.auth_code };
        }
        return { session: await startSession(tx, ctx.cfg, user, "oauth", req) };
      });
      return c.redirect(
        sessionRedirectUrl(state.referrer, out, {
          provider_token: tokens.access_token,
          ...(tokens.refresh_token ? { provider_refresh_token: tokens.refresh_token } : {}),
        }),
        302,
      );
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      return errorRedirect(c, state.referrer, e);
    }
  };
  app.get("/callback", callback);
  app.post("/callback", callback);
  return app;
}

/** The OAuth `error` for an Auth error, as GoTrue's getErrorQueryString picks it. */
export function oauthErrorOf(e: AuthError): string {
  if (["signup_disabled", "user_banned", "provider_email_needs_verification"].includes(e.code)) {
    return "access_denied";
  }
  const byStatus: Record<number, string> = {
    400: "invalid_request",
    401: "unauthorized_client",
    403: "access_denied",
    500: "server_error",
    503: "temporarily_unavailable",
  };
  return byStatus[e.status] ?? "server_error";
}

function errorRedirect(c: Context, to: string, e: AuthError) {
  const p = new URLSearchParams({
    error: oauthErrorOf(e),
    error_code: e.code,
    error_description: e.message,
  });
  return redirectWith(c, to, p);
}

function redirectWith(c: Context, to: string, p: URLSearchParams) {
  const u = new URL(to);
  for (const [k, v] of p) u.searchParams.set(k, v);
  u.hash = p.toString();
  return c.redirect(u.toString(), 302);
}

/** The user of this provider identity: found, linked by verified email, or created. */
async function upsertOAuthUser(tx: Tx, provider: string, pu: ProviderUser): Promise<UserRow> {
  const [known] = await tx<UserRow[]>`
    select u.* from auth.identities i join auth.users u on u.id = i.user_id
    where i.provider = ${provider} and i.provider_id = ${pu.id}`;
  if (known) {
    await tx`update auth.identities set identity_data = ${tx.json(pu.data as postgres.JSONValue)},
               last_sign_in_at = now(), updated_at = now()
             where provider = ${provider} and provider_id = ${pu.id}`;
    return known;
  }
  if (!pu.email) {
    throw new AuthError(
      500,
      "unexpected_failure",
      "Error getting user email from external provider",
    );
  }
  let user: UserRow | undefined;
  if (pu.emailVerified) {
    // Link to the account with the same address, but only to a confirmed one.
    [user] = await tx<UserRow[]>`
      select * from auth.users where lower(email) = lower(${pu.email}) and email_confirmed_at is not null
      and not is_sso_user limit 1`;
  }
  if (!user) {
    const id = crypto.randomUUID();
    [user] = await tx<UserRow[]>`
      insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
        raw_app_meta_data, raw_user_meta_data, created_at, updated_at, confirmation_token, recovery_token,
        email_change_token_new, email_change, is_anonymous)
      values (${INSTANCE_ID}, ${id}, 'authenticated', 'authenticated', ${pu.email.toLowerCase()}, '',
        ${pu.emailVerified ? tx`now()` : null}, ${tx.json({ provider, providers: [provider] })},
        ${tx.json(pu.data as postgres.JSONValue)}, now(), now(), '', '', '', '', false)
      returning *`;
  } else {
    await tx`update auth.users set raw_app_meta_data = jsonb_set(coalesce(raw_app_meta_data, '{}'),
               '{providers}', (select to_jsonb(array(select distinct p from jsonb_array_elements_text(
                 coalesce(raw_app_meta_data -> 'providers', '[]')) p union select ${provider}))))
             where id = ${user.id}`;
  }
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${pu.id}, ${user!.id}, ${
    tx.json(pu.data as postgres.JSONValue)
  }, ${provider}, now(), now(), now())`;
  return user!;
}
