import assert from "node:assert/strict";
import { compileRedirectGlob, followStack, isRedirectUrlValid, parseRawUrl } from "./redirects.ts";

const site = "https://chat.example.com";
const allow = [
  "https://*.example.org/auth/**",
  "myapp://callback",
  "http://localhost:3000/*",
  "https://preview-{one,two}.example.net/?",
  "https://[!x]y.example.io/",
].map(compileRedirectGlob);
const valid = (url: string) => isRedirectUrlValid(site, allow, url);

Deno.test("the site's own host is allowed with its scheme and port only", () => {
  assert.equal(valid("https://chat.example.com/welcome"), true);
  assert.equal(valid("http://chat.example.com/welcome"), false);
  assert.equal(valid("https://chat.example.com:8443/welcome"), false);
  assert.equal(valid("https://evil.com/?next=https://chat.example.com"), false);
});

Deno.test("a loopback site URL allows any port, as RFC 8252 asks for native apps", () => {
  assert.equal(isRedirectUrlValid("http://localhost:3000", [], "http://localhost:5173/x"), true);
});

Deno.test("IP addresses: loopback ones always, others and decimal forms never", () => {
  assert.equal(valid("http://127.0.0.1:9999/cb"), true);
  assert.equal(valid("http://127.8.9.10/cb"), true);
  assert.equal(valid("http://[::1]:8080/cb"), true);
  assert.equal(valid("http://10.0.0.1/cb"), false);
  assert.equal(valid("http://2130706433/"), false, "127.0.0.1 written as one number");
  assert.equal(valid("http://0177.0.0.1/"), false, "octal-looking parts are not IPs to Go");
});

Deno.test("globs: * stays within a label or segment, ** crosses them, fragments are ignored", () => {
  assert.equal(valid("https://app.example.org/auth/callback"), true);
  assert.equal(valid("https://app.example.org/auth/a/b/c#frag"), true);
  assert.equal(valid("https://a.b.example.org/auth/callback"), false, "* spans one label");
  assert.equal(valid("https://app.example.org/other"), false);
  assert.equal(valid("http://localhost:3000/page"), true);
  assert.equal(valid("http://localhost:3000/a/b"), false, "* spans one segment");
  assert.equal(valid("http://localhost:3000/a.html"), false, "* does not cross a dot either");
  assert.equal(valid("https://preview-two.example.net/x"), true);
  assert.equal(valid("https://preview-three.example.net/x"), false);
  assert.equal(valid("https://ay.example.io/"), true);
  assert.equal(valid("https://xy.example.io/"), false);
});

Deno.test("deep links match exactly; odd host names and control characters never pass", () => {
  assert.equal(valid("myapp://callback"), true);
  assert.equal(valid("myapp://callback/extra"), false);
  assert.equal(valid("https://exa_mple.org/auth/x"), false);
  assert.equal(valid("\thttps://app.example.org/auth/x"), false);
  assert.equal(valid(""), false);
});

Deno.test("URLs are read as Go reads them, without normalising the host", () => {
  assert.deepEqual(parseRawUrl("http://user@2130706433:80/x"), {
    scheme: "http",
    hostname: "2130706433",
    port: "80",
  });
  assert.equal(parseRawUrl("https://x/%zz"), undefined);
});

Deno.test("loopback URLs on the configured gateway port follow the stack's real address", () => {
  const local = new URL("http://127.0.0.1:55321");
  assert.equal(
    followStack("http://localhost:54321/a?b", "54321", local),
    "http://localhost:55321/a?b",
  );
  assert.equal(followStack("http://127.0.0.1:3000", "54321", local), "http://127.0.0.1:3000");
  const external = new URL("https://chat.example.com");
  assert.equal(
    followStack("http://127.0.0.1:54321", "54321", external),
    "https://chat.example.com",
  );
  assert.equal(
    followStack("http://localhost:54321/reset#x", "54321", external),
    "https://chat.example.com/reset#x",
  );
  assert.equal(
    followStack("https://other.example.com/", "54321", external),
    "https://other.example.com/",
  );
});
