// UTF-8 validation as MQTT requires it: RFC 3629 well-formedness, no surrogates, no U+0000.
#include "gauntlet/codec/utf8.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "test_support.hpp"

namespace gauntlet::codec {
namespace {

using namespace std::string_view_literals;

std::optional<Utf8Issue> ill(std::size_t offset) {
  return Utf8Issue{Rule::utf8_ill_formed, offset};
}
std::optional<Utf8Issue> null_at(std::size_t offset) {
  return Utf8Issue{Rule::utf8_null_character, offset};
}

TEST(CheckUtf8, AcceptsAsciiAndEmpty) {
  EXPECT_EQ(check_utf8(""), std::nullopt);
  EXPECT_EQ(check_utf8("a"), std::nullopt);
  EXPECT_EQ(check_utf8("sport/tennis/player1 and a longer tail of plain text"), std::nullopt);
  EXPECT_EQ(check_utf8("\x01\x7f"), std::nullopt);  // control characters are well-formed
}

TEST(CheckUtf8, AcceptsMultiByteCharacters) {
  EXPECT_EQ(check_utf8("\xc2\x80"), std::nullopt);          // U+0080, smallest 2-byte
  EXPECT_EQ(check_utf8("caf\xc3\xa9"), std::nullopt);       // U+00E9
  EXPECT_EQ(check_utf8("\xdf\xbf"), std::nullopt);          // U+07FF, largest 2-byte
  EXPECT_EQ(check_utf8("\xe0\xa0\x80"), std::nullopt);      // U+0800, smallest 3-byte
  EXPECT_EQ(check_utf8("\xe2\x82\xac"), std::nullopt);      // U+20AC euro sign
  EXPECT_EQ(check_utf8("\xed\x9f\xbf"), std::nullopt);      // U+D7FF, just below surrogates
  EXPECT_EQ(check_utf8("\xee\x80\x80"), std::nullopt);      // U+E000, just above surrogates
  EXPECT_EQ(check_utf8("\xef\xbf\xbf"), std::nullopt);      // U+FFFF
  EXPECT_EQ(check_utf8("\xf0\x90\x80\x80"), std::nullopt);  // U+10000, smallest 4-byte
  EXPECT_EQ(check_utf8("\xf0\x9f\x98\x80"), std::nullopt);  // U+1F600
  EXPECT_EQ(check_utf8("\xf3\xbf\xbf\xbf"), std::nullopt);  // U+FFFFF
  EXPECT_EQ(check_utf8("\xf4\x8f\xbf\xbf"), std::nullopt);  // U+10FFFF, the largest
  EXPECT_EQ(check_utf8("a\xc3\xa9"
                       "b\xe2\x82\xac"
                       "c\xf0\x9f\x98\x80"
                       "d"),
            std::nullopt);
}

TEST(CheckUtf8, AcceptsByteOrderMark) {
  EXPECT_EQ(check_utf8("\xef\xbb\xbf"), std::nullopt);
  EXPECT_EQ(check_utf8("\xef\xbb\xbf"
                       "abc"),
            std::nullopt);
  EXPECT_EQ(check_utf8("abc\xef\xbb\xbf"), std::nullopt);
}

TEST(CheckUtf8, RejectsNullCharacterWithItsOffset) {
  EXPECT_EQ(check_utf8("\0"sv), null_at(0));
  EXPECT_EQ(check_utf8("ab\0cd"sv), null_at(2));
  EXPECT_EQ(check_utf8("\xc3\xa9\0"sv), null_at(2));
  EXPECT_EQ(check_utf8("0123456789\0"sv), null_at(10));
  // The overlong form of U+0000 is ill-formed, not a null character.
  EXPECT_EQ(check_utf8("\xc0\x80"), ill(0));
}

TEST(CheckUtf8, RejectsOverlongForms) {
  EXPECT_EQ(check_utf8("\xc0\x80"), ill(0));  // U+0000 in two bytes
  EXPECT_EQ(check_utf8("\xc0\xaf"), ill(0));  // '/' in two bytes
  EXPECT_EQ(check_utf8("\xc1\xbf"), ill(0));  // U+007F in two bytes
  EXPECT_EQ(check_utf8("ab\xc1\xbf"), ill(2));
  EXPECT_EQ(check_utf8("\xe0\x80\x80"), ill(0));      // U+0000 in three bytes
  EXPECT_EQ(check_utf8("\xe0\x9f\xbf"), ill(0));      // U+07FF in three bytes
  EXPECT_EQ(check_utf8("\xf0\x80\x80\x80"), ill(0));  // U+0000 in four bytes
  EXPECT_EQ(check_utf8("\xf0\x8f\xbf\xbf"), ill(0));  // U+FFFF in four bytes
  EXPECT_EQ(check_utf8("x\xe0\x80\xaf"), ill(1));
}

TEST(CheckUtf8, RejectsSurrogates) {
  EXPECT_EQ(check_utf8("\xed\xa0\x80"), ill(0));                 // U+D800
  EXPECT_EQ(check_utf8("\xed\xaf\xbf"), ill(0));                 // U+DBFF
  EXPECT_EQ(check_utf8("\xed\xb0\x80"), ill(0));                 // U+DC00
  EXPECT_EQ(check_utf8("\xed\xbf\xbf"), ill(0));                 // U+DFFF
  EXPECT_EQ(check_utf8("abc\xed\xa0\x80\xed\xb0\x80"), ill(3));  // a CESU-8 surrogate pair
}

TEST(CheckUtf8, RejectsCodePointsAboveTheLast) {
  EXPECT_EQ(check_utf8("\xf4\x90\x80\x80"), ill(0));  // U+110000
  EXPECT_EQ(check_utf8("\xf4\xbf\xbf\xbf"), ill(0));
  EXPECT_EQ(check_utf8("\xf5\x80\x80\x80"), ill(0));
  EXPECT_EQ(check_utf8("\xf7\xbf\xbf\xbf"), ill(0));
  EXPECT_EQ(check_utf8("\xf8\x88\x80\x80\x80"), ill(0));      // old 5-byte form
  EXPECT_EQ(check_utf8("\xfc\x84\x80\x80\x80\x80"), ill(0));  // old 6-byte form
  EXPECT_EQ(check_utf8("\xfe"), ill(0));
  EXPECT_EQ(check_utf8("\xff"), ill(0));
  EXPECT_EQ(check_utf8("ok\xf5"), ill(2));
}

TEST(CheckUtf8, RejectsStrayContinuationBytes) {
  EXPECT_EQ(check_utf8("\x80"), ill(0));
  EXPECT_EQ(check_utf8("\xbf"), ill(0));
  EXPECT_EQ(check_utf8("a\x80"), ill(1));
  EXPECT_EQ(check_utf8("\xc3\xa9\xa9"), ill(2));  // one continuation too many
  EXPECT_EQ(check_utf8("\xe2\x82\xac\x80"), ill(3));
}

TEST(CheckUtf8, RejectsMissingContinuationBytes) {
  EXPECT_EQ(check_utf8("\xc3"
                       "a"),
            ill(0));  // lead then ASCII
  EXPECT_EQ(check_utf8("\xe2\x82"
                       "a"),
            ill(0));                              // third byte not a continuation
  EXPECT_EQ(check_utf8("\xe2\x28\xa1"), ill(0));  // second byte not a continuation
  EXPECT_EQ(check_utf8("\xf0\x9f\x98"
                       "a"),
            ill(0));  // fourth byte not a continuation
  EXPECT_EQ(check_utf8("\xf0\x9f\x28\x80"), ill(0));
  EXPECT_EQ(check_utf8("\xc3\xc3\xa9"), ill(0));  // a lead where a continuation belongs
}

TEST(CheckUtf8, RejectsSequencesTruncatedAtTheEnd) {
  EXPECT_EQ(check_utf8("\xc3"), ill(0));
  EXPECT_EQ(check_utf8("\xe2\x82"), ill(0));
  EXPECT_EQ(check_utf8("\xe2"), ill(0));
  EXPECT_EQ(check_utf8("\xf0\x9f\x98"), ill(0));
  EXPECT_EQ(check_utf8("\xf0\x9f"), ill(0));
  EXPECT_EQ(check_utf8("abcdef\xf0\x9f\x98"), ill(6));
  EXPECT_EQ(check_utf8("abcdefgh\xc3"), ill(8));
}

TEST(CheckUtf8, TruncationInsideABiggerStringIsCaughtWhereItStarts) {
  // The view ends inside a character although the underlying storage goes on.
  const std::string_view whole = "abc\xe2\x82\xac";
  EXPECT_EQ(check_utf8(whole), std::nullopt);
  EXPECT_EQ(check_utf8(whole.substr(0, 5)), ill(3));
  EXPECT_EQ(check_utf8(whole.substr(0, 4)), ill(3));
}

// The validator skips ASCII eight bytes at a time: every error must still be reported at its own
// byte, wherever it falls relative to the eight-byte blocks.
TEST(CheckUtf8, OffsetsAfterAsciiRunsOfEveryLength) {
  struct Bad {
    std::string_view bytes;
    Rule rule;
  };
  const Bad bads[] = {
      {"\0"sv, Rule::utf8_null_character},
      {"\x80"sv, Rule::utf8_ill_formed},
      {"\xc0\x80"sv, Rule::utf8_ill_formed},
      {"\xed\xa0\x80"sv, Rule::utf8_ill_formed},
      {"\xf4\x90\x80\x80"sv, Rule::utf8_ill_formed},
      {"\xc3"sv, Rule::utf8_ill_formed},
      {"\xff"sv, Rule::utf8_ill_formed},
  };
  for (const Bad& bad : bads) {
    for (std::size_t position = 0; position <= 20; ++position) {
      for (std::size_t tail : {std::size_t{0}, std::size_t{1}, std::size_t{9}}) {
        std::string text(position, 'a');
        text.append(bad.bytes);
        text.append(tail, 'z');
        EXPECT_EQ(check_utf8(text), (Utf8Issue{bad.rule, position}))
            << "error placed at " << position << " with " << tail
            << " bytes after it: " << test::hex(ByteView::of(text));
      }
    }
  }
}

TEST(CheckUtf8, ValidMultiByteAfterAsciiRunsOfEveryLength) {
  for (std::size_t position = 0; position <= 20; ++position) {
    std::string text(position, 'a');
    text += "\xf0\x9f\x98\x80\xc3\xa9";
    text.append(position, 'b');
    EXPECT_EQ(check_utf8(text), std::nullopt) << position;
    // ...and an error after that valid character is located past it.
    text += '\0';
    EXPECT_EQ(check_utf8(text), null_at(text.size() - 1)) << position;
  }
}

TEST(CheckUtf8, FirstErrorWins) {
  EXPECT_EQ(check_utf8("abc\xff\0"sv), ill(3));
  EXPECT_EQ(check_utf8("abc\0\xff"sv), null_at(3));
  EXPECT_EQ(check_utf8("0123456789abcdef\x80\0"sv), ill(16));
}

TEST(CheckUtf8, EveryLeadByteAgainstRfc3629) {
  // Each lead byte followed by enough 0x80 continuation bytes: valid exactly when the RFC's table
  // allows that lead with 0x80 as the second byte.
  for (unsigned lead = 0x80; lead <= 0xFF; ++lead) {
    std::string text(1, static_cast<char>(lead));
    text.append(3, '\x80');
    const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    text.resize(length);
    const bool valid = (lead >= 0xC2 && lead <= 0xDF) || (lead >= 0xE1 && lead <= 0xEF) ||
                       (lead >= 0xF1 && lead <= 0xF4);
    if (valid) {
      EXPECT_EQ(check_utf8(text), std::nullopt) << std::hex << lead;
    } else {
      EXPECT_EQ(check_utf8(text), ill(0)) << std::hex << lead;
    }
  }
}

}  // namespace
}  // namespace gauntlet::codec
