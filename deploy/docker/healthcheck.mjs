// The image's HEALTHCHECK: GET /functions/v1/api/health on this container's own port; exit 0
// when it answers 200 (the database is up), 1 otherwise. Node, because the image has no curl.
const tls = Boolean(process.env.TLS_CERT_FILE && process.env.TLS_KEY_FILE);
// The certificate names the public host, not 127.0.0.1: this check asks its own process.
if (tls) process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
const port = process.env.LOCAL_API_PORT || "54321";
const url = `${tls ? "https" : "http"}://127.0.0.1:${port}/functions/v1/api/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
