// The broker bugs that gauntlet_fault_proxy can simulate, one at a time. Each is a fault a real
// broker could have; the mutation test (conformance/tests/mutation.sh) requires the conformance
// suite to notice every one of them, and to notice nothing through the two controls, `pass` and
// `pass-framed` (the names that begin with "pass").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gauntlet::fault_proxy {

enum class Fault : std::uint8_t {
  pass,
  pass_framed,
  drop_delivery,
  duplicate_delivery,
  reorder_delivery,
  truncate_payload,
  qos_upgrade,
  qos_downgrade,
  retain_flag_on_live,
  retain_flag_cleared,
  retain_not_stored,
  wrong_puback_id,
  wrong_pubrec_id,
  wrong_suback_id,
  wrong_unsuback_id,
  suback_grant_higher,
  suback_wrong_count,
  session_present_wrong,
  ignore_clean_start,
  auth_bypass,
  ignore_unsubscribe,
  plus_matches_many_levels,
  drop_will,
  will_on_normal_disconnect,
  ignore_qos2_dup,
  accept_malformed,
  keepalive_ignored,
  strip_user_properties,
  strip_message_expiry,
  no_local_ignored,
  retain_handling_ignored,
};

struct FaultInfo {
  Fault fault;
  std::string_view name;
  std::string_view description;
};

inline constexpr std::array fault_table{
    FaultInfo{Fault::pass, "pass", "no fault: every byte is relayed unchanged in both directions"},
    FaultInfo{Fault::pass_framed, "pass-framed",
              "no fault, but every packet is framed and decoded as under the faults (a control: "
              "the framing alone must change no verdict)"},
    FaultInfo{Fault::drop_delivery, "drop-delivery",
              "every second PUBLISH the broker sends a client (2nd, 4th, ...) is lost; the proxy "
              "acknowledges it to the broker as if delivered"},
    FaultInfo{Fault::duplicate_delivery, "duplicate-delivery",
              "every PUBLISH to a client is delivered twice, the copy as a new message (QoS 0 "
              "identical, QoS 1/2 under another packet id)"},
    FaultInfo{Fault::reorder_delivery, "reorder-delivery",
              "consecutive PUBLISH packets to a client are swapped in pairs (a lone one is held "
              "100 ms)"},
    FaultInfo{Fault::truncate_payload, "truncate-payload",
              "the last byte of every non-empty delivered payload is lost (an off-by-one copy)"},
    FaultInfo{Fault::qos_upgrade, "qos-upgrade",
              "QoS 0 deliveries arrive at QoS 1 (above the QoS the subscription granted)"},
    FaultInfo{Fault::qos_downgrade, "qos-downgrade",
              "QoS 1 and 2 deliveries arrive at QoS 0 (the broker believes them acknowledged)"},
    FaultInfo{Fault::retain_flag_on_live, "retain-flag-on-live",
              "live deliveries carry RETAIN 1 as if they came from the retained store"},
    FaultInfo{Fault::retain_flag_cleared, "retain-flag-cleared",
              "retained messages sent on subscribe arrive with RETAIN 0"},
    FaultInfo{Fault::retain_not_stored, "retain-not-stored",
              "the RETAIN flag of client PUBLISH packets is ignored: nothing is stored or cleared"},
    FaultInfo{Fault::wrong_puback_id, "wrong-puback-id",
              "PUBACK packets to clients carry another packet id than the PUBLISH they answer"},
    FaultInfo{Fault::wrong_pubrec_id, "wrong-pubrec-id",
              "PUBREC packets to clients carry another packet id than the PUBLISH they answer"},
    FaultInfo{Fault::wrong_suback_id, "wrong-suback-id",
              "SUBACK packets carry another packet id than the SUBSCRIBE they answer"},
    FaultInfo{Fault::wrong_unsuback_id, "wrong-unsuback-id",
              "UNSUBACK packets carry another packet id than the UNSUBSCRIBE they answer"},
    FaultInfo{Fault::suback_grant_higher, "suback-grant-higher",
              "SUBACK grants QoS 2 to every accepted filter, whatever QoS was requested"},
    FaultInfo{Fault::suback_wrong_count, "suback-wrong-count",
              "SUBACK carries one return code fewer than the filters (or an extra one for a "
              "single filter)"},
    FaultInfo{Fault::session_present_wrong, "session-present-wrong",
              "a successful CONNACK has its Session Present flag inverted"},
    FaultInfo{Fault::ignore_clean_start, "ignore-clean-start",
              "Clean Session / Clean Start is ignored: an existing session is always resumed"},
    FaultInfo{Fault::auth_bypass, "auth-bypass",
              "a login the broker refuses (bad user name or password, not authorized) is let in "
              "anyway, as an anonymous client"},
    FaultInfo{Fault::ignore_unsubscribe, "ignore-unsubscribe",
              "UNSUBSCRIBE is acknowledged with a normal UNSUBACK but the subscription stays"},
    FaultInfo{Fault::plus_matches_many_levels, "plus-matches-many-levels",
              "a '+' in the last level of a topic filter matches any number of levels, as '#'"},
    FaultInfo{Fault::drop_will, "drop-will",
              "the Will Message of a CONNECT is forgotten: it is never published"},
    FaultInfo{Fault::will_on_normal_disconnect, "will-on-normal-disconnect",
              "the Will Message is published even after a normal DISCONNECT"},
    FaultInfo{Fault::ignore_qos2_dup, "ignore-qos2-dup",
              "a QoS 2 PUBLISH resent with DUP before PUBREL is forwarded again as a new message"},
    FaultInfo{Fault::accept_malformed, "accept-malformed",
              "malformed client packets (anything the strict codec rejects) are skipped instead of "
              "closing the connection"},
    FaultInfo{Fault::keepalive_ignored, "keepalive-ignored",
              "a client silent for longer than its Keep Alive is never disconnected"},
    FaultInfo{Fault::strip_user_properties, "strip-user-properties",
              "MQTT 5.0: User Properties of a PUBLISH are not forwarded to subscribers"},
    FaultInfo{Fault::strip_message_expiry, "strip-message-expiry",
              "MQTT 5.0: the Message Expiry Interval of a PUBLISH is not forwarded to subscribers"},
    FaultInfo{Fault::no_local_ignored, "no-local-ignored",
              "MQTT 5.0: the No Local subscription option is ignored (own messages come back)"},
    FaultInfo{Fault::retain_handling_ignored, "retain-handling-ignored",
              "MQTT 5.0: Retain Handling 1 and 2 are treated as 0 (retained messages always sent)"},
};

constexpr std::optional<Fault> parse_fault(std::string_view name) noexcept {
  for (const FaultInfo& info : fault_table) {
    if (info.name == name) return info.fault;
  }
  return std::nullopt;
}

constexpr std::string_view fault_name(Fault fault) noexcept {
  for (const FaultInfo& info : fault_table) {
    if (info.fault == fault) return info.name;
  }
  return "unknown";
}

}  // namespace gauntlet::fault_proxy
