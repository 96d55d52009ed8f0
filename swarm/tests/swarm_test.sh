#!/usr/bin/env bash
# swarm_test.sh GAUNTLET PROFILE EXAMPLES OUT — `gauntlet swarm` against the test Mosquitto:
#  1. every shipped load example passes, and its report accounts for every owed copy exactly
#     (delivered == expected for QoS 1/2; no duplicates at QoS 2) and validates against the schema;
#  2. a sharded run: the fan-out example as two shards started together (one --publish-at for
#     both), merged with `gauntlet report merge`; the merged report must add up exactly (each
#     shard's publishers' copies are owed to the other shard's subscribers too);
#  3. batched I/O (--batch-us) keeps the accounting exact, and the report records the window;
#     a false SLO (p99 latency at most 0 ms) exits 1 and names the breach;
#  4. per-client identities: each client's own username and password from a credentials file
#     (the broker's log must show both users), each client's own certificate on the mutual-TLS
#     listener; one wrong password, or one certificate from a CA the broker does not trust, fails
#     exactly that one client.
set -euo pipefail
gauntlet=$1 profile=$2 examples=$3 out=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=$here/../../reports/schema/report.schema.json
rm -rf "$out" && mkdir -p "$out"

check_report() {  # REPORT.json: exact accounting and schema
  python3 - "$1" "$schema" <<'PY'
import json, sys, jsonschema
report = json.load(open(sys.argv[1]))
jsonschema.validate(report, json.load(open(sys.argv[2])))
m = report["metrics"]
for q in ("1", "2"):
    c = m["by_qos"][q]
    assert c["delivered"] == c["expected"], f"QoS {q}: {c['delivered']} of {c['expected']} delivered"
assert m["by_qos"]["2"]["duplicated"] == 0, "QoS 2 duplicates"
assert m["connections"]["failed"] == 0, "connect failures"
print(sys.argv[1], "accounts for", m["expected"], "owed copies:", m["delivered"], "delivered")
PY
}

for example in "$examples"/*.json; do
  name=$(basename "$example" .json)
  "$gauntlet" swarm "$example" --profile "$profile" --report-dir "$out/$name" --seed 7
  check_report "$out/$name/report.json"
done

# Two shards of one run, publishing from the same instant.
at=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))')
for shard in 1 2; do
  "$gauntlet" swarm "$examples/fanout-qos1.json" --profile "$profile" --seed 11 --shard "$shard/2" \
    --publish-at "$at" --report-dir "$out/shard-$shard" > "$out/shard-$shard.log" 2>&1 &
  pids[$shard]=$!
done
for shard in 1 2; do
  if ! wait "${pids[$shard]}"; then cat "$out/shard-$shard.log"; exit 1; fi
done
"$gauntlet" report merge "$out/shard-1/report.json" "$out/shard-2/report.json" --report-dir "$out/merged"
check_report "$out/merged/report.json"
python3 - "$out/shard-1/report.json" "$out/shard-2/report.json" "$out/merged/report.json" <<'PY'
import json, sys
a, b, merged = (json.load(open(p))["metrics"] for p in sys.argv[1:])
for key in ("published", "delivered", "expected"):
    assert merged[key] == a[key] + b[key], (key, merged[key], a[key], b[key])
# 20 sensors at 5/s for 4 s, 4 dashboards: 400 messages, each owed 4 copies.
assert merged["published"] == 400, merged["published"]
assert merged["expected"] == 1600, merged["expected"]
assert sorted(s["index"] for s in merged["shards"]) == [0, 1]
print("merged: 2 shards,", merged["published"], "published,", merged["delivered"], "delivered")
PY

# Batched I/O (--batch-us; the flapping example also reconnects clients while they rest between
# windows): the accounting stays exact, and the report says what the latencies include.
for example in fanout-qos1 flapping-dashboards; do
  "$gauntlet" swarm "$examples/$example.json" --profile "$profile" --seed 13 --batch-us 2000 \
    --report-dir "$out/batched-$example"
  check_report "$out/batched-$example/report.json"
  python3 - "$out/batched-$example/report.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
assert m["plan"]["batch_us"] == 2000, m["plan"]
assert any("batched in 2000 µs windows" in note for note in m.get("notes", [])), m.get("notes")
assert m["delivered"] == m["expected"] > 0, (m["delivered"], m["expected"])
PY
done

# An SLO that cannot hold fails the run (exit 1) and says which.
strict=$out/impossible-slo.json
python3 - "$examples/fanout-qos1.json" "$strict" <<'PY'
import json, sys
scenario = json.load(open(sys.argv[1]))
scenario["load"]["slo"] = {"max_latency_ms": 0}
scenario["load"]["duration_s"] = 1
json.dump(scenario, open(sys.argv[2], "w"))
PY
set +e
"$gauntlet" swarm "$strict" --profile "$profile" --report-dir "$out/impossible" > "$out/impossible.log" 2>&1
rc=$?
set -e
cat "$out/impossible.log"
[[ $rc -eq 1 ]] || { echo "an impossible SLO exited $rc, not 1"; exit 1; }
grep -q "slo-max_latency_ms" "$out/impossible/summary.md"
# Per-client identities. The broker's PKI (ci/pki, beside the profile) signs one certificate per
# device; a later one comes from the CA the broker does not trust.
broker_dir=$(dirname "$profile")
identities=$out/identities
mkdir -p "$identities/certs"
sign() {  # NAME CA: a key and a certificate for CN=NAME, signed by CA (ca or other-ca)
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$identities/certs/$1.key" \
    -out "$identities/$1.csr" 2>/dev/null
  openssl x509 -req -in "$identities/$1.csr" -CA "$broker_dir/pki/$2.crt" \
    -CAkey "$broker_dir/pki/$2.key" -CAcreateserial -days 2 -out "$identities/certs/$1.crt" 2>/dev/null
}
for i in 0 1 2; do sign "device-$i" ca; done
printf '# one user a line: member i uses line i\nalice:alice-secret\nbob:bob-secret\n' > "$identities/users.txt"
python3 - "$identities" <<'PY'
import json, pathlib, sys
folder = pathlib.Path(sys.argv[1])
scenario = {
    "name": "identities", "protocol": "3.1.1", "vars": {"prefix": "gauntlet/{run}/id"},
    "clients": {
        "users": {"count": 2, "id": "{run}-user-{i}", "endpoint": "auth"},
        "devices": {"count": 3, "id": "{run}-device-{i}", "endpoint": "mtls"},
    },
    "load": {
        "duration_s": 2, "drain_s": 1, "connect": {"rate": 50},
        "groups": {
            "users": {"credentials_file": "users.txt",
                      "subscribe": [{"filter": "{prefix}/#", "qos": 1}]},
            "devices": {"client_certificates": {"cert": "certs/device-{i}.crt",
                                                "key": "certs/device-{i}.key"},
                        "publish": {"topic": "{prefix}/{i}", "qos": 1, "rate": {"per_client": 5}}},
        },
        "slo": {"loss": 0, "connect_failures": 0},
    },
}
json.dump(scenario, open(folder / "identities.json", "w"), indent=1)
PY
# Batched, so that the mutual-TLS publishers' reads (of PUBACKs) rest between windows too.
"$gauntlet" swarm "$identities/identities.json" --profile "$profile" --seed 21 --batch-us 1000 \
  --report-dir "$out/identities-run"
check_report "$out/identities-run/report.json"
python3 - "$out/identities-run/report.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
assert m["connections"]["succeeded"] == 5, m["connections"]
# 3 devices x 5/s x 2 s, each owed to 2 users.
assert m["expected"] == 60 and m["delivered"] == 60, (m["expected"], m["delivered"])
PY
for user in alice bob; do
  grep -q "u'$user'" "$broker_dir/mosquitto.log" || { echo "the broker never saw user $user"; exit 1; }
done

# One wrong password, and one device certificate from the untrusted CA: exactly that client of each
# group is refused, and the connect-failure SLO fails the run.
printf 'alice:alice-secret\nbob:not-bob-secret\n' > "$identities/users.txt"
sign device-2 other-ca
set +e
"$gauntlet" swarm "$identities/identities.json" --profile "$profile" --seed 22 \
  --report-dir "$out/identities-refused" > "$out/identities-refused.log" 2>&1
rc=$?
set -e
[[ $rc -eq 1 ]] || { cat "$out/identities-refused.log"; echo "refused identities exited $rc, not 1"; exit 1; }
python3 - "$out/identities-refused/report.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
c = m["connections"]
assert c["succeeded"] == 3, c  # alice and devices 0 and 1
assert c["failed"] >= 2, c     # bob and device 2, each retried with backoff
print("identities: one wrong password and one untrusted certificate refused:", c)
PY
echo "swarm_test: all checks passed"
