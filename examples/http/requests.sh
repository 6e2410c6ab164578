#!/usr/bin/env bash
# Switchboard over plain HTTP: the requests a game server, a script or a proxy sends.
#
#   SWITCHBOARD_URL=http://127.0.0.1:8787 SWITCHBOARD_API_KEY=sb_... ./requests.sh
#
# Needs curl only. Each step prints a line saying what it shows; it stops at the first request that fails.
set -euo pipefail

: "${SWITCHBOARD_URL:=http://127.0.0.1:8787}"
: "${SWITCHBOARD_API_KEY:?set SWITCHBOARD_API_KEY to the admin key printed at first start, or a service key}"
auth=(-H "Authorization: Bearer $SWITCHBOARD_API_KEY")
json=(-H 'content-type: application/json')
headers_file=$(mktemp)
trap 'rm -f "$headers_file"' EXIT

echo '1. Is it ready?'
curl -sS --fail-with-body "$SWITCHBOARD_URL/health/ready"
echo

echo '2. The models and virtual models the gateway offers:'
curl -sS --fail-with-body "${auth[@]}" "$SWITCHBOARD_URL/v1/models" | grep -o '"id":"[^"]*"' | cut -d'"' -f4 | paste -sd' ' -

echo '3. A narrative turn, selected by its therapeutic context (the switchboard body field):'
curl -sS --fail-with-body -D "$headers_file" "${auth[@]}" "${json[@]}" "$SWITCHBOARD_URL/v1/chat/completions" -d '{
  "model": "switchboard/auto",
  "messages": [
    {"role": "system", "content": "You narrate a gentle therapeutic text adventure."},
    {"role": "user", "content": "I open the door of the old mill."}
  ],
  "max_tokens": 60,
  "switchboard": {"task": "narrative_generation", "risk": "low", "creativity": 0.8, "player": "player-17"}
}' | grep -o '"model":"[^"]*"'
decision_id=$(grep -i '^x-switchboard-decision-id:' "$headers_file" | cut -d' ' -f2 | tr -d '\r')
echo "   decision: $decision_id"

echo '4. Feedback on that decision (0 bad .. 1 excellent) teaches the optimiser:'
curl -sS --fail-with-body "${auth[@]}" "${json[@]}" "$SWITCHBOARD_URL/v1/feedback" \
  -d "{\"decisionId\":\"$decision_id\",\"score\":0.9}"
echo

echo '5. The same context as headers, streamed (server-sent events, usage last):'
curl -sS --fail-with-body -N "${auth[@]}" "${json[@]}" "$SWITCHBOARD_URL/v1/chat/completions" \
  -H 'x-switchboard-task: dialogue_generation' -H 'x-switchboard-risk: low' \
  -d '{"model":"switchboard/auto","stream":true,"stream_options":{"include_usage":true},"max_tokens":40,
       "messages":[{"role":"user","content":"I ask the miller about the flood."}]}' \
  | grep -c '^data: ' | sed 's/^/   server-sent events received: /'

echo '6. A player at elevated risk: only safe models qualify (the decision, without calling a model):'
curl -sS --fail-with-body "${auth[@]}" "${json[@]}" "$SWITCHBOARD_URL/v1/select" -d '{
  "context": {"task": "therapeutic_response", "risk": "elevated"},
  "messages": [{"role": "user", "content": "Everything feels hopeless."}]
}' | sed -n 's/.*"summary":"\(.*\)"}$/   \1/p' | sed 's/\\"/"/g'
echo

echo '7. A bad request is refused with a 400 that names the field:'
status=$(curl -sS -o "$headers_file" -w '%{http_code}' "${auth[@]}" "${json[@]}" "$SWITCHBOARD_URL/v1/chat/completions" \
  -d '{"model":"switchboard/auto","messages":[{"role":"user","content":"Hi"}],"switchboard":{"risk":"panicking"}}')
echo "   $status $(grep -o '"message":"[^"]*"' "$headers_file")"
