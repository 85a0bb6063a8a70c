#!/usr/bin/env bash
# Property-based checks of the REST API with schemathesis: a fresh server on SQLite with the
# small demo data set, a write token, a bounded number of generated requests per operation.
# Every answer must be documented (status, content type, headers) and conform to its schema,
# and none may be a 5xx. Needs target/debug/amends (built by the steps before it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_schemathesis

PORT="${AMENDS_FUZZ_PORT:-3013}"
DATA="$ROOT/target/fuzz-data"
BIN="$ROOT/target/debug/amends"
rm -rf "$DATA"
export AMENDS_LOG=warn
"$BIN" --data-dir "$DATA" demo --scale small --seed 7 --until 2026-11-23 >/dev/null
echo "quiet lantern meadow" | "$BIN" --data-dir "$DATA" user add --email fuzz@team.example --role admin --name Fuzz >/dev/null
TOKEN="$("$BIN" --data-dir "$DATA" token add --email fuzz@team.example --scope write --name schemathesis 2>/dev/null)"
AMENDS_API_RATE_PER_MINUTE=1000000 "$BIN" --data-dir "$DATA" serve --bind "127.0.0.1:$PORT" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

say "schemathesis against /api/v1/openapi.json (10 examples per operation and phase)"
# Bounded by examples, not time (a time budget makes fuzzing repeat until it is spent);
# the timeout only guards against a hang. One worker: with two, hypothesis parses lambda
# sources from two threads at once and CPython 3.11's ast.parse can fail ("AST constructor
# recursion depth mismatch"), an error of the tool, not of Amends.
timeout 600 schemathesis run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples 10 --seed 20261203 --workers 1 \
  --generation-database none --no-color
