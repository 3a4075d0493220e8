/**
 * A small local OAuth provider speaking GitHub's authorization-code protocol (GitHub
 * Enterprise paths), for tests: /login/oauth/authorize approves at once and sends the
 * browser back with a code; /login/oauth/access_token checks code, client id and secret;
 * /api/v3/user and /api/v3/user/emails describe the signed-in account.
 */
export interface FakeAccount {
  id: number;
  login: string;
  name: string;
  email: string;
  verified: boolean;
}

export interface FakeProvider extends AsyncDisposable {
  url: string;
  clientId: string;
  secret: string;
  /** The account the next authorization signs in as. */
  account: FakeAccount;
  /** Every authorize request seen (its query parameters). */
  authorizations: URLSearchParams[];
}

export function startFakeGitHub(): FakeProvider {
  const codes = new Map<string, FakeAccount>();
  const tokens = new Map<string, FakeAccount>();
  const provider: FakeProvider = {
    url: "",
    clientId: "local-client-id",
    secret: "local-client-secret",
    account: {
      id: 4242,
      login: "octo",
      name: "Octo Cat",
      email: "octo@example.com",
      verified: true,
    },
    authorizations: [],
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/login/oauth/authorize") {
      provider.authorizations.push(url.searchParams);
      if (url.searchParams.get("client_id") !== provider.clientId) {
        return new Response("bad client", { status: 400 });
      }
      const code = crypto.randomUUID();
      codes.set(code, { ...provider.account });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state")!);
      return Response.redirect(back.toString(), 302);
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      const form = new URLSearchParams(await req.text());
      const account = codes.get(form.get("code") ?? "");
      if (
        !account || form.get("client_id") !== provider.clientId ||
        form.get("client_secret") !== provider.secret
      ) {
        return Response.json({ error: "bad_verification_code" }, { status: 400 });
      }
      codes.delete(form.get("code")!);
      const token = `gho_${crypto.randomUUID().replaceAll("-", "")}`;
      tokens.set(token, account);
      return Response.json({ access_token: token, token_type: "bearer", scope: "user:email" });
    }
    const account = tokens.get((req.headers.get("authorization") ?? "").replace(/^Bearer /, ""));
    if (!account) return Response.json({ message: "Bad credentials" }, { status: 401 });
    if (url.pathname === "/api/v3/user") {
      return Response.json({
        id: account.id,
        login: account.login,
        name: account.name,
        avatar_url: "https://example.com/a.png",
      });
    }
    if (url.pathname === "/api/v3/user/emails") {
      return Response.json([{ email: account.email, primary: true, verified: account.verified }]);
    }
    return new Response("not found", { status: 404 });
  });
  provider.url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  return provider;
}
