/**
 * OAuth sign-in (supabase/auth `external.go`): GET /authorize?provider=… redirects to the
 * provider with a signed state; the provider sends the browser back to /callback with a code,
 * which is exchanged for the provider's token and profile; the identity is found, linked to an
 * existing user by verified email, or created; then the browser goes to `redirect_to` with a
 * session in the fragment (implicit) or `?code=` for exchangeCodeForSession (PKCE).
 *
 * GitHub and Google speak the authorization-code protocol; `url` in `[auth.external.<name>]`
 * points a provider at another host (GitHub Enterprise style), which the tests use for a
 * local provider.
 */
import { type Context, Hono } from "hono";
import { jwtVerify, SignJWT } from "jose";
import type postgres from "postgres";
import { AuthError, badRequest, flowStateNotFound } from "./errors.ts";
import { isAllowedRedirect, type ProviderConfig } from "./config.ts";
import { sessionRedirectUrl, startSession } from "./sessions.ts";
import { type AuthCtx, clientIp, limit } from "./context.ts";
import { INSTANCE_ID, type Tx, type UserRow } from "./users.ts";

interface ProviderUser {
  id: string;
  email: string | undefined;
  emailVerified: boolean;
  data: Record<string, unknown>;
}

interface Endpoints {
  authorize: string;
  token: string;
  scopes: string;
  fetchUser(token: string): Promise<ProviderUser>;
}

async function getJson(url: string, token: string): Promise<unknown> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  if (!res.ok) {
    throw new AuthError(
      500,
      "unexpected_failure",
      `Error getting user profile from external provider`,
    );
  }
  return await res.json();
}

function endpoints(name: string, p: ProviderConfig): Endpoints {
  if (name === "github") {
    const web = p.url || "https://github.com";
    const api = p.url ? `${p.url}/api/v3` : "https://api.github.com";
    return {
      authorize: `${web}/login/oauth/authorize`,
      token: `${web}/login/oauth/access_token`,
      scopes: "user:email",
      async fetchUser(token) {
        const u = await getJson(`${api}/user`, token) as Record<string, unknown>;
        const emails = await getJson(`${api}/user/emails`, token) as {
          email: string;
          primary: boolean;
          verified: boolean;
        }[];
        const primary = emails.find((e) => e.primary) ?? emails[0];
        return {
          id: String(u.id),
          email: primary?.email,
          emailVerified: Boolean(primary?.verified),
          data: {
            iss: api,
            sub: String(u.id),
            name: u.name ?? u.login,
            full_name: u.name ?? u.login,
            user_name: u.login,
            preferred_username: u.login,
            avatar_url: u.avatar_url,
            email: primary?.email,
            email_verified: Boolean(primary?.verified),
            provider_id: String(u.id),
          },
        };
      },
    };
  }
  if (name === "google") {
    const base = p.url || "";
    return {
      authorize: base ? `${base}/o/oauth2/auth` : "https://accounts.google.com/o/oauth2/auth",
      token: base ? `${base}/token` : "https://oauth2.googleapis.com/token",
      scopes: "email profile openid",
      async fetchUser(token) {
        const u = await getJson(
          base ? `${base}/userinfo/v2/me` : "https://www.googleapis.com/userinfo/v2/me",
          token,
        ) as Record<string, unknown>;
        return {
          id: String(u.id),
          email: u.email as string | undefined,
          emailVerified: Boolean(u.verified_email),
          data: {
            iss: "https://accounts.google.com",
            sub: String(u.id),
            name: u.name,
            full_name: u.name,
            picture: u.picture,
            avatar_url: u.picture,
            email: u.email,
            email_verified: Boolean(u.verified_email),
            provider_id: String(u.id),
          },
        };
      },
    };
  }
  throw badRequest(
    "validation_failed",
    `Unsupported provider: Provider ${name} could not be found`,
  );
}

interface State {
  provider: string;
  referrer: string;
  flow_state_id?: string;
}

export function oauthRoutes(ctx: AuthCtx) {
  const app = new Hono();
  const key = new TextEncoder().encode(ctx.cfg.jwtSecret);
  const callbackUrl = (p: ProviderConfig) => p.redirectUri || `${ctx.cfg.apiUrl}/callback`;

  app.get("/authorize", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    const name = c.req.query("provider") ?? "";
    const p = ctx.cfg.providers[name];
    if (!p?.enabled) {
      throw badRequest("validation_failed", "Unsupported provider: provider is not enabled");
    }
    const ep = endpoints(name, p);
    const wanted = c.req.query("redirect_to");
    const referrer = wanted && isAllowedRedirect(ctx.cfg, wanted) ? wanted : ctx.cfg.siteUrl;
    const state: State = { provider: name, referrer };
    const challenge = c.req.query("code_challenge");
    if (challenge) {
      const method = (c.req.query("code_challenge_method") ?? "s256").toLowerCase();
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge) || !["s256", "plain"].includes(method)) {
        throw badRequest("validation_failed", "invalid code challenge");
      }
      const id = crypto.randomUUID();
      await ctx.sql`
        insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge,
          provider_type, created_at, updated_at, authentication_method)
        values (${id}, null, ${crypto.randomUUID()}, ${method}::auth.code_challenge_method, ${challenge},
          ${name}, now(), now(), 'oauth')`;
      state.flow_state_id = id;
    }
    const signed = await new SignJWT({ ...state }).setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("10m").sign(key);
    const u = new URL(ep.authorize);
    u.searchParams.set("client_id", p.clientId);
    u.searchParams.set("redirect_uri", callbackUrl(p));
    u.searchParams.set("response_type", "code");
    u.searchParams.set("scope", [ep.scopes, c.req.query("scopes")].filter(Boolean).join(" "));
    u.searchParams.set("state", signed);
    return c.redirect(u.toString(), 302);
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
        "invalid_request",
        "bad_oauth_state",
        "OAuth state parameter is invalid",
      );
    }
    if (q.error) {
      return errorRedirect(
        c,
        state.referrer,
        q.error,
        "provider_error",
        q.error_description ?? q.error,
      );
    }
    try {
      const p = ctx.cfg.providers[state.provider];
      if (!p?.enabled) {
        throw badRequest("validation_failed", "Unsupported provider: provider is not enabled");
      }
      const ep = endpoints(state.provider, p);
      const tokenRes = await fetch(ep.token, {
        method: "POST",
        headers: {
          accept: "application/json",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: q.code ?? "",
          client_id: p.clientId,
          client_secret: p.secret,
          redirect_uri: callbackUrl(p),
        }),
      });
      const tok = await tokenRes.json().catch(() => ({})) as {
        access_token?: string;
        refresh_token?: string;
      };
      if (!tokenRes.ok || !tok.access_token) {
        throw new AuthError(500, "unexpected_failure", "Unable to exchange external code");
      }
      const pu = await ep.fetchUser(tok.access_token);
      const req = { userAgent: c.req.header("user-agent"), ip: clientIp(c) };
      const out = await ctx.sql.begin(async (tx) => {
        const user = await upsertOAuthUser(tx, state.provider, pu);
        if (user.banned_until && new Date(user.banned_until) > new Date()) {
          throw badRequest("user_banned", "User is banned");
        }
        if (state.flow_state_id) {
          const [flow] = await tx<{ auth_code: string }[]>`
            update auth.flow_state set user_id = ${user.id}, provider_access_token = ${
            tok.access_token ?? null
          },
              provider_refresh_token = ${
            tok.refresh_token ?? null
          }, auth_code_issued_at = now(), updated_at = now()
            where id = ${state.flow_state_id} returning auth_code`;
          if (!flow) {
            throw flowStateNotFound();
          }
          return { code: flow.auth_code };
        }
        return { session: await startSession(tx, ctx.cfg, user, "oauth", req) };
      });
      return c.redirect(
        sessionRedirectUrl(state.referrer, out, {
          provider_token: tok.access_token,
          ...(tok.refresh_token ? { provider_refresh_token: tok.refresh_token } : {}),
        }),
        302,
      );
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      return errorRedirect(c, state.referrer, "server_error", e.code, e.message);
    }
  };
  app.get("/callback", callback);
  app.post("/callback", callback);
  return app;
}

function errorRedirect(c: Context, to: string, error: string, code: string, description: string) {
  const p = new URLSearchParams({ error, error_code: code, error_description: description });
  return c.redirect(`${to.split("#")[0]}?${p}#${p}`, 302);
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
