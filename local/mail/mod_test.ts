import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import { smtpFromEnv, smtpMailer } from "./mod.ts";

Deno.test("with SMTP settings, mail goes out over SMTP (to a local smtp-server)", async () => {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, _session, done) {
      let raw = "";
      stream.on("data", (c: Uint8Array) => (raw += new TextDecoder().decode(c)));
      stream.on("end", () => {
        received.push(raw);
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.server.address() as { port: number }).port;
  try {
    const settings = smtpFromEnv((n) =>
      ({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port), SMTP_ADMIN_EMAIL: "auth@chat.test" })[n]
    );
    assert.ok(settings);
    const mailer = smtpMailer(settings);
    await mailer.send({
      to: "someone@example.com",
      subject: "Confirm your email",
      text: "code 123456",
      html: "<p>code 123456</p>",
    });
    mailer.close();
    assert.equal(received.length, 1);
    assert.match(received[0]!, /Subject: Confirm your email/);
    assert.match(received[0]!, /To: someone@example.com/);
    assert.match(received[0]!, /From: Chat <auth@chat.test>/);
    assert.match(received[0]!, /code 123456/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

Deno.test("smtpFromEnv is off without SMTP_HOST and rejects a bad port", () => {
  assert.equal(smtpFromEnv(() => undefined), undefined);
  assert.throws(
    () => smtpFromEnv((n) => ({ SMTP_HOST: "x", SMTP_PORT: "mail" })[n]),
    /SMTP_PORT must be a port/,
  );
});
