/**
 * Resending a confirmation and password recovery, as supabase/auth `resend.go` and
 * `recover.go` do them: a new mail with a link and a code (email_tokens.ts), PKCE-aware. The
 * links are verified by verify.ts; sign-up is in signup.ts.
 */
import { Hono } from "hono";
import { badRequest } from "./errors.ts";
import { resendEmailChange } from "./email_change.ts";
import { sendTokenMail } from "./email_tokens.ts";
import { pkceOf } from "./flow_state.ts";
import { redirectTarget } from "./redirects.ts";
import { type AuthCtx, clientIp, limit, readJson, str, validEmail } from "./context.ts";
import { findUserByEmail } from "./users.ts";

export function flowRoutes(ctx: AuthCtx) {
  const app = new Hono();

  app.post("/resend", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    const body = await readJson(c);
    const type = str(body.type) ?? "";
    const email = str(body.email) ?? "";
    checkResend(ctx, type, email, str(body.phone) ?? "");
    // Only email addresses get here: phone numbers are refused above (no SMS locally).
    const address = validEmail(email);
    const redirect = redirectTarget(
      ctx,
      c.req.query("redirect_to") ??
        str((body.options as Record<string, unknown> | undefined)?.emailRedirectTo),
    );
    const mail = { redirect, pkce: pkceOf(body), client: clientIp(c) };
    await ctx.sql.begin(async (tx) => {
      if (type === "email_change") {
        await resendEmailChange(ctx, tx, address, redirect, mail.pkce, mail.client);
        return;
      }
      const user = await findUserByEmail(tx, address);
      if (type === "signup" && user && !user.email_confirmed_at) {
        await sendTokenMail(ctx, tx, user, "signup", mail);
      }
      // sms and phone_change for an address: nothing pending to send, as GoTrue answers {}.
    });
    return c.json({});
  });

  app.post("/recover", async (c) => {
    limit(ctx.limits.signInSignUps, clientIp(c));
    if (!ctx.cfg.emailProvider) {
      throw badRequest("email_provider_disabled", "Email logins are disabled");
    }
    const body = await readJson(c);
    const email = validEmail(str(body.email));
    const redirect = redirectTarget(ctx, c.req.query("redirect_to") ?? str(body.redirect_to));
    await ctx.sql.begin(async (tx) => {
      const user = await findUserByEmail(tx, email);
      if (user) {
        await sendTokenMail(ctx, tx, user, "recovery", {
          redirect,
          pkce: pkceOf(body),
          client: clientIp(c),
        });
      } else {
        // Judged as if it were sent, so a 429 does not tell an unknown address from a known one.
        ctx.mail.admit({
          kind: "recovery",
          address: email,
          client: clientIp(c),
          lastSentAt: null,
          send: false,
        });
      }
    });
    // The same answer whether or not the address is known.
    return c.json({});
  });

  return app;
}

/** GoTrue's ResendConfirmationParams.Validate, with phone numbers always refused locally. */
function checkResend(ctx: AuthCtx, type: string, email: string, phone: string): void {
  if (!["signup", "email_change", "sms", "phone_change"].includes(type)) {
    throw badRequest(
      "validation_failed",
      "Missing one of these types: signup, email_change, sms, phone_change",
    );
  }
  if (!email && type === "signup") {
    throw badRequest("validation_failed", "Type provided requires an email address");
  }
  if (!phone && type === "sms") {
    throw badRequest("validation_failed", "Type provided requires a phone number");
  }
  if (email && phone) {
    throw badRequest(
      "validation_failed",
      "Only an email address or phone number should be provided.",
    );
  }
  if (email && !ctx.cfg.emailProvider) {
    throw badRequest("email_provider_disabled", "Email logins are disabled");
  }
  if (phone) throw badRequest("phone_provider_disabled", "Phone logins are disabled");
  if (!email) throw badRequest("validation_failed", "Missing email address or phone number");
}
