#!/bin/sh
# Checks the monitoring files: alert rules (syntax and unit tests), the example Prometheus
# config, and the Grafana dashboard (valid JSON, every query parses as PromQL).
#   PROMTOOL=/path/to/promtool deploy/prometheus/check.sh
# Optional: METRICS_FILE=/path/to/scrape.txt (the text of GET /functions/v1/api/metrics) also
# checks that every metric the alerts and the dashboard select appears in it. Counters appear
# only once incremented, so scrape after some traffic. Needs python3. Exits non-zero on failure.
set -eu
PROMTOOL=${PROMTOOL:-promtool}
here=$(cd "$(dirname "$0")" && pwd)
dashboard="$here/../grafana/chat.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
run() {
  echo "+ $*"
  "$@" || { echo "FAILED: $*" >&2; fail=1; }
}

run "$PROMTOOL" check rules "$here/alerts.yml"
# rule_files in the test file are relative to it.
run "$PROMTOOL" test rules "$here/alerts_test.yml"

# The real config names /etc/prometheus/metrics_token, which must exist for a full check:
# check its syntax as is, then fully check a copy that points at a temporary token file.
run "$PROMTOOL" check config --syntax-only "$here/prometheus.yml"
printf 'example-token\n' >"$tmp/metrics_token"
cp "$here/alerts.yml" "$tmp/alerts.yml"
sed "s#/etc/prometheus/metrics_token#$tmp/metrics_token#" "$here/prometheus.yml" >"$tmp/prometheus.yml"
run "$PROMTOOL" check config "$tmp/prometheus.yml"

# Dashboard: valid JSON, then every expr (panel targets, annotations) with Grafana's variables
# replaced becomes a recording rule for promtool to parse.
run python3 -m json.tool "$dashboard" /dev/null
run python3 - "$dashboard" "$tmp/dashboard_rules.yml" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
exprs, errors = [], []
def walk(node, where):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            exprs.append((where, node["expr"]))
        ds = node.get("datasource")
        if isinstance(ds, dict) and ds.get("type") == "prometheus" and ds.get("uid") != "${DS_PROMETHEUS}":
            errors.append(f"{where}: datasource is not ${{DS_PROMETHEUS}}")
        for k, v in node.items():
            walk(v, node.get("title", where) if k in ("targets", "panels") else where)
    elif isinstance(node, list):
        for v in node:
            walk(v, where)
walk(dash, "dashboard")
subs = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$instance": ".*"}
lines = ["groups:", "  - name: dashboard", "    rules:"]
for i, (where, e) in enumerate(exprs):
    for k, v in subs.items():
        e = e.replace(k, v)
    if "$" in e:
        errors.append(f"{where}: unknown variable in {e}")
    lines += [f"      - record: dashboard_expr_{i}", f"        expr: {json.dumps(e)}"]
if not exprs:
    errors.append("no expr found in the dashboard")
if dash.get("schemaVersion", 0) < 36:
    errors.append("schemaVersion below 36")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
for err in errors:
    print(err, file=sys.stderr)
print(f"{len(exprs)} dashboard exprs extracted")
sys.exit(1 if errors else 0)
PY
if [ -s "$tmp/dashboard_rules.yml" ]; then
  run "$PROMTOOL" check rules "$tmp/dashboard_rules.yml"
fi

if [ -n "${METRICS_FILE:-}" ]; then
  run python3 - "$METRICS_FILE" "$here/alerts.yml" "$dashboard" <<'PY'
import re, sys
exported = {m.group(1) for m in re.finditer(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", open(sys.argv[1]).read(), re.M)}
used = set()
for path in sys.argv[2:]:
    used |= set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{\\?\"?job=", open(path).read()))
used -= {"up"}  # made by Prometheus, not by the process
missing = sorted(used - exported)
print(f"{len(used)} metrics used, {len(missing)} missing from {sys.argv[1]}: {', '.join(missing)}")
sys.exit(1 if missing else 0)
PY
fi

[ "$fail" -eq 0 ] && echo "monitoring checks: all passed"
exit "$fail"
