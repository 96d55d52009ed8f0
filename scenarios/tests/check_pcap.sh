#!/usr/bin/env bash
# check_pcap.sh DIR MIN_PACKETS: every capture under DIR opens in tshark, holds MQTT that the
# dissector decodes (at least MIN_PACKETS MQTT messages in all), and has no malformed packet or
# expert warning.
set -euo pipefail
dir=$1 min=$2
command -v tshark >/dev/null || { echo "check_pcap.sh: tshark is not installed (ci/install-deps.sh)" >&2; exit 1; }
mapfile -t files < <(find "$dir" -name '*.pcap' | sort)
((${#files[@]} > 0)) || { echo "check_pcap.sh: no capture under $dir" >&2; exit 1; }
total=0
for file in "${files[@]}"; do
  messages=$(tshark -n -r "$file" -Y mqtt -T fields -e mqtt.msgtype 2>/dev/null | tr ',' '\n' | grep -c . || true)
  problems=$(tshark -n -r "$file" -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null | wc -l)
  echo "$file: $messages MQTT messages, $problems problems"
  if ((problems > 0)); then
    tshark -n -r "$file" -Y '_ws.malformed || _ws.expert.severity >= warning' -V 2>/dev/null | head -40
    exit 1
  fi
  total=$((total + messages))
done
((total >= min)) || { echo "check_pcap.sh: only $total MQTT messages, wanted at least $min" >&2; exit 1; }
echo "check_pcap.sh: ${#files[@]} captures, $total MQTT messages, no problems"
