// The rule table: names, descriptions (the project's own words, not the spec's), and where each
// rule is written in MQTT 3.1.1 and 5.0.
#include <array>
#include <string>

#include "gauntlet/codec/error.hpp"

namespace gauntlet::codec {
namespace {

struct RuleInfo {
  Rule rule;
  std::string_view name;
  bool structural;
  std::string_view description;
  RuleSource v311;  ///< also used for 3.1
  RuleSource v5;
};

constexpr RuleSource none{"", ""};

// Rows must follow the order of the Rule enum (checked below).
constexpr std::array rules = {
    RuleInfo{Rule::truncated,
             "truncated",
             true,
             "a field runs past the end of the packet or of its length-prefixed block",
             {"", "2.2.3"},
             {"", "2.1.4"}},
    RuleInfo{Rule::variable_int_too_long,
             "variable_int_too_long",
             true,
             "a variable byte integer continues past its fourth byte",
             {"", "2.2.3"},
             {"", "1.5.5"}},
    RuleInfo{Rule::packet_too_large,
             "packet_too_large",
             true,
             "the packet is larger than the maximum packet size in force",
             {"", "2.2.3"},
             {"", "3.1.2.11.4"}},
    RuleInfo{Rule::reserved_packet_type,
             "reserved_packet_type",
             true,
             "the packet type is reserved at this protocol level",
             {"", "2.2.1"},
             {"", "2.1.2"}},
    RuleInfo{Rule::unknown_protocol_level,
             "unknown_protocol_level",
             true,
             "CONNECT names a protocol level other than 3, 4 or 5",
             {"MQTT-3.1.2-2", "3.1.2.2"},
             {"MQTT-3.1.2-2", "3.1.2.2"}},
    RuleInfo{Rule::publish_qos_3,
             "publish_qos_3",
             true,
             "a PUBLISH has both QoS bits set",
             {"MQTT-3.3.1-4", "3.3.1.2"},
             {"MQTT-3.3.1-4", "3.3.1.2"}},
    RuleInfo{Rule::unknown_property,
             "unknown_property",
             true,
             "the property identifier is not defined by MQTT 5.0",
             none,
             {"", "2.2.2.2"}},
    RuleInfo{Rule::variable_int_not_minimal,
             "variable_int_not_minimal",
             false,
             "a variable byte integer uses more bytes than its value needs",
             {"", "2.2.3"},
             {"MQTT-1.5.5-1", "1.5.5"}},
    RuleInfo{Rule::utf8_ill_formed,
             "utf8_ill_formed",
             false,
             "a string is not well-formed UTF-8 (bad sequence, overlong form, surrogate or above "
             "U+10FFFF)",
             {"MQTT-1.5.3-1", "1.5.3"},
             {"MQTT-1.5.4-1", "1.5.4"}},
    RuleInfo{Rule::utf8_null_character,
             "utf8_null_character",
             false,
             "a string contains the character U+0000",
             {"MQTT-1.5.3-2", "1.5.3"},
             {"MQTT-1.5.4-2", "1.5.4"}},
    RuleInfo{Rule::remaining_length_mismatch,
             "remaining_length_mismatch",
             false,
             "the remaining length covers bytes that belong to no field of the packet",
             {"", "2.2.3"},
             {"", "2.1.4"}},
    RuleInfo{Rule::fixed_header_flags,
             "fixed_header_flags",
             false,
             "the flag bits of the fixed header differ from the values this packet type requires",
             {"MQTT-2.2.2-1", "2.2.2"},
             {"MQTT-2.1.3-1", "2.1.3"}},
    RuleInfo{Rule::packet_id_zero,
             "packet_id_zero",
             false,
             "a packet identifier is 0 where a non-zero one is required",
             {"MQTT-2.3.1-1", "2.3.1"},
             {"MQTT-2.2.1-3", "2.2.1"}},
    RuleInfo{Rule::dup_on_qos_0,
             "dup_on_qos_0",
             false,
             "a QoS 0 PUBLISH has the DUP flag set",
             {"MQTT-3.3.1-2", "3.3.1.1"},
             {"MQTT-3.3.1-2", "3.3.1.1"}},
    RuleInfo{Rule::protocol_name_mismatch,
             "protocol_name_mismatch",
             false,
             "the protocol name does not belong to the protocol level (MQIsdp for 3, MQTT for 4 "
             "and 5)",
             {"MQTT-3.1.2-1", "3.1.2.1"},
             {"MQTT-3.1.2-1", "3.1.2.1"}},
    RuleInfo{Rule::connect_reserved_flag,
             "connect_reserved_flag",
             false,
             "the reserved bit 0 of the CONNECT flags is set",
             {"MQTT-3.1.2-3", "3.1.2.3"},
             {"MQTT-3.1.2-3", "3.1.2.3"}},
    RuleInfo{Rule::will_qos_without_will,
             "will_qos_without_will",
             false,
             "Will QoS is not 0 although the Will Flag is 0",
             {"MQTT-3.1.2-13", "3.1.2.6"},
             {"MQTT-3.1.2-11", "3.1.2.6"}},
    RuleInfo{Rule::will_retain_without_will,
             "will_retain_without_will",
             false,
             "Will Retain is set although the Will Flag is 0",
             {"MQTT-3.1.2-15", "3.1.2.7"},
             {"MQTT-3.1.2-13", "3.1.2.7"}},
    RuleInfo{Rule::will_qos_3,
             "will_qos_3",
             false,
             "Will QoS is 3",
             {"MQTT-3.1.2-14", "3.1.2.6"},
             {"MQTT-3.1.2-12", "3.1.2.6"}},
    RuleInfo{Rule::password_without_username,
             "password_without_username",
             false,
             "the Password Flag is set without the User Name Flag (before 5.0)",
             {"MQTT-3.1.2-22", "3.1.2.9"},
             none},
    RuleInfo{Rule::empty_client_id_without_clean_session,
             "empty_client_id_without_clean_session",
             false,
             "a zero-byte client identifier comes with CleanSession 0",
             {"MQTT-3.1.3-7", "3.1.3.1"},
             none},
    RuleInfo{Rule::client_id_length_v3_1,
             "client_id_length_v3_1",
             false,
             "MQTT 3.1 requires a client identifier of 1 to 23 characters",
             {"", "3.1 (MQIsdp) CONNECT payload"},
             none},
    RuleInfo{Rule::connack_reserved_flags,
             "connack_reserved_flags",
             false,
             "reserved bits 7-1 of the CONNACK acknowledge flags are set",
             {"", "3.2.2.1"},
             {"MQTT-3.2.2-1", "3.2.2.1.1"}},
    RuleInfo{Rule::session_present_on_failure,
             "session_present_on_failure",
             false,
             "Session Present is 1 in a CONNACK that refuses the connection",
             {"MQTT-3.2.2-4", "3.2.2.2"},
             {"MQTT-3.2.2-6", "3.2.2.1.1"}},
    RuleInfo{Rule::reason_code_not_allowed,
             "reason_code_not_allowed",
             false,
             "the reason or return code is not one this packet may carry",
             {"", "3.2.2.3"},
             {"", "2.4"}},
    RuleInfo{Rule::topic_name_empty,
             "topic_name_empty",
             false,
             "a topic name is empty",
             {"MQTT-4.7.3-1", "4.7.3"},
             {"MQTT-4.7.3-1", "4.7.3"}},
    RuleInfo{Rule::topic_name_wildcard,
             "topic_name_wildcard",
             false,
             "a topic name contains a wildcard character ('+' or '#')",
             {"MQTT-3.3.2-2", "3.3.2.1"},
             {"MQTT-3.3.2-2", "3.3.2.1"}},
    RuleInfo{Rule::topic_filter_empty,
             "topic_filter_empty",
             false,
             "a topic filter is empty",
             {"MQTT-4.7.3-1", "4.7.3"},
             {"MQTT-4.7.3-1", "4.7.3"}},
    RuleInfo{Rule::multi_level_wildcard_misplaced,
             "multi_level_wildcard_misplaced",
             false,
             "'#' is not alone in the last level of the topic filter",
             {"MQTT-4.7.1-2", "4.7.1.2"},
             {"MQTT-4.7.1-1", "4.7.1.2"}},
    RuleInfo{Rule::single_level_wildcard_misplaced,
             "single_level_wildcard_misplaced",
             false,
             "'+' does not occupy a whole level of the topic filter",
             {"MQTT-4.7.1-3", "4.7.1.3"},
             {"MQTT-4.7.1-2", "4.7.1.3"}},
    RuleInfo{Rule::share_name_empty,
             "share_name_empty",
             false,
             "a shared subscription has an empty ShareName",
             none,
             {"MQTT-4.8.2-1", "4.8.2"}},
    RuleInfo{Rule::share_name_invalid,
             "share_name_invalid",
             false,
             "a ShareName contains '/', '+' or '#', or is not followed by '/' and a topic filter",
             none,
             {"MQTT-4.8.2-2", "4.8.2"}},
    RuleInfo{Rule::no_local_on_shared_subscription,
             "no_local_on_shared_subscription",
             false,
             "No Local is set on a shared subscription",
             none,
             {"MQTT-3.8.3-4", "3.8.3.1"}},
    RuleInfo{Rule::subscription_options_reserved,
             "subscription_options_reserved",
             false,
             "reserved bits of the subscription options are set",
             {"MQTT-3.8.3-4", "3.8.3.1"},
             {"MQTT-3.8.3-5", "3.8.3.1"}},
    RuleInfo{Rule::subscription_qos_3,
             "subscription_qos_3",
             false,
             "a subscription requests QoS 3",
             {"MQTT-3.8.3-4", "3.8.3.1"},
             {"", "3.8.3.1"}},
    RuleInfo{Rule::retain_handling_3,
             "retain_handling_3",
             false,
             "Retain Handling is 3",
             none,
             {"", "3.8.3.1"}},
    RuleInfo{Rule::no_topic_filters,
             "no_topic_filters",
             false,
             "the packet carries no topic filter at all",
             {"MQTT-3.8.3-3", "3.8.3"},
             {"MQTT-3.8.3-2", "3.8.3"}},
    RuleInfo{Rule::property_not_allowed,
             "property_not_allowed",
             false,
             "the property may not appear in this packet",
             none,
             {"", "2.2.2.2"}},
    RuleInfo{Rule::duplicate_property,
             "duplicate_property",
             false,
             "a property that may appear only once appears again",
             none,
             {"", "2.2.2.2"}},
    RuleInfo{Rule::property_value_invalid,
             "property_value_invalid",
             false,
             "the property has a value its definition excludes",
             none,
             {"", "2.2.2.2"}},
    RuleInfo{Rule::topic_alias_zero,
             "topic_alias_zero",
             false,
             "a Topic Alias of 0 is sent",
             none,
             {"MQTT-3.3.2-8", "3.3.2.3.4"}},
    RuleInfo{Rule::subscription_id_from_client_publish,
             "subscription_id_from_client_publish",
             false,
             "a client's PUBLISH carries a Subscription Identifier",
             none,
             {"MQTT-3.3.4-6", "3.3.4"}},
    RuleInfo{Rule::session_expiry_from_server,
             "session_expiry_from_server",
             false,
             "a server's DISCONNECT carries a Session Expiry Interval",
             none,
             {"MQTT-3.14.2-2", "3.14.2.2.2"}},
    RuleInfo{Rule::response_topic_wildcard,
             "response_topic_wildcard",
             false,
             "the Response Topic contains a wildcard character",
             none,
             {"MQTT-3.3.2-14", "3.3.2.3.5"}},
    RuleInfo{Rule::authentication_data_without_method,
             "authentication_data_without_method",
             false,
             "Authentication Data is present without an Authentication Method",
             none,
             {"", "3.1.2.11.10"}},
    RuleInfo{Rule::auth_without_method,
             "auth_without_method",
             false,
             "an AUTH packet carries no Authentication Method",
             none,
             {"MQTT-4.12.0-5", "3.15.2.2.2"}},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (static_cast<std::size_t>(rules[i].rule) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "rules[] must list the Rule enum in order");

const RuleInfo& info(Rule rule) noexcept {
  return rules[static_cast<std::size_t>(rule)];
}

// Rules whose statement depends on the packet type.
RuleSource per_packet(Rule rule, bool v5, PacketType packet, Sender sender) noexcept {
  using P = PacketType;
  if (rule == Rule::fixed_header_flags) {
    switch (packet) {
      case P::pubrel:
        return {"MQTT-3.6.1-1", "3.6.1"};
      case P::subscribe:
        return {"MQTT-3.8.1-1", "3.8.1"};
      case P::unsubscribe:
        return {"MQTT-3.10.1-1", "3.10.1"};
      case P::disconnect:
        return {"MQTT-3.14.1-1", "3.14.1"};  // the same id in 3.1.1 and 5.0
      case P::auth:
        if (v5) return {"MQTT-3.15.1-1", "3.15.1"};
        break;
      default:
        break;
    }
  }
  if (rule == Rule::packet_id_zero) {
    switch (packet) {
      case P::puback:
      case P::pubrec:
      case P::pubrel:
      case P::pubcomp:
        if (v5) return {"MQTT-2.2.1-5", "2.2.1"};
        // 3.1.1's statement names PUBACK, PUBREC and PUBREL; PUBCOMP's id rule is unnumbered.
        return packet == P::pubcomp ? RuleSource{"", "3.7.2"} : RuleSource{"MQTT-2.3.1-6", "2.3.1"};
      case P::suback:
      case P::unsuback:
        return v5 ? RuleSource{"MQTT-2.2.1-6", "2.2.1"} : RuleSource{"MQTT-2.3.1-7", "2.3.1"};
      case P::publish:
        if (v5 && sender == Sender::server) return {"MQTT-2.2.1-4", "2.2.1"};
        break;
      default:
        break;
    }
  }
  if (rule == Rule::reason_code_not_allowed) {
    if (!v5) {
      if (packet == P::suback) return {"MQTT-3.9.3-2", "3.9.3"};
      return {"", "3.2.2.3"};
    }
    switch (packet) {
      case P::connack:
        return {"MQTT-3.2.2-8", "3.2.2.2"};
      case P::puback:
        return {"MQTT-3.4.2-1", "3.4.2.1"};
      case P::pubrec:
        return {"MQTT-3.5.2-1", "3.5.2.1"};
      case P::pubrel:
        return {"MQTT-3.6.2-1", "3.6.2.1"};
      case P::pubcomp:
        return {"MQTT-3.7.2-1", "3.7.2.1"};
      case P::suback:
        return {"MQTT-3.9.3-2", "3.9.3"};
      case P::unsuback:
        return {"MQTT-3.11.3-2", "3.11.3"};
      case P::disconnect:
        return {"MQTT-3.14.2-1", "3.14.2.1"};
      case P::auth:
        return {"MQTT-3.15.2-1", "3.15.2.1"};
      default:
        break;
    }
  }
  if (rule == Rule::no_topic_filters && packet == P::unsubscribe) {
    return {"MQTT-3.10.3-2", "3.10.3"};  // the same id in 3.1.1 and 5.0
  }
  if (rule == Rule::topic_name_wildcard && packet == P::connect) {  // the Will Topic
    return v5 ? RuleSource{"MQTT-4.7.0-1", "4.7.1"} : RuleSource{"MQTT-4.7.1-1", "4.7.1"};
  }
  if (rule == Rule::packet_too_large && v5) {
    if (sender == Sender::client) return {"MQTT-3.2.2-15", "3.2.2.3.6"};
    if (sender == Sender::server) return {"MQTT-3.1.2-24", "3.1.2.11.4"};
  }
  return v5 ? info(rule).v5 : info(rule).v311;
}

}  // namespace

std::string_view rule_name(Rule rule) noexcept {
  return info(rule).name;
}
std::string_view rule_description(Rule rule) noexcept {
  return info(rule).description;
}
bool rule_is_structural(Rule rule) noexcept {
  return info(rule).structural;
}

RuleSource rule_source(Rule rule, ProtocolVersion version, std::optional<PacketType> packet,
                       Sender sender) noexcept {
  const bool v5 = version == ProtocolVersion::v5;
  if (packet) return per_packet(rule, v5, *packet, sender);
  return v5 ? info(rule).v5 : info(rule).v311;
}

std::string Error::to_string() const {
  std::string text(rule_name(rule));
  text += " at byte ";
  text += std::to_string(offset);
  if (!field.empty()) {
    text += " (";
    text += field;
    text += ')';
  }
  text += ": ";
  text += rule_description(rule);
  if (!statement.empty()) {
    text += " [";
    text += statement;
    text += ']';
  } else if (!section.empty()) {
    text += " [section ";
    text += section;
    text += ']';
  }
  return text;
}

}  // namespace gauntlet::codec
