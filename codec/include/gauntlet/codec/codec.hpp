// The whole codec in one include.
#pragma once

#include "gauntlet/codec/bytes.hpp"
#include "gauntlet/codec/decoder.hpp"
#include "gauntlet/codec/encoder.hpp"
#include "gauntlet/codec/error.hpp"
#include "gauntlet/codec/hex.hpp"
#include "gauntlet/codec/packet.hpp"
#include "gauntlet/codec/properties.hpp"
#include "gauntlet/codec/reason_codes.hpp"
#include "gauntlet/codec/stream_decoder.hpp"
#include "gauntlet/codec/topic.hpp"
#include "gauntlet/codec/types.hpp"
#include "gauntlet/codec/utf8.hpp"
