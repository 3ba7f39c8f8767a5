#include "oxydra/sys/utf8.h"

#include <gtest/gtest.h>

namespace oxydra::sys {
namespace {

const std::string kFffd(kReplacementChar);

TEST(Utf8, ValidTextIsUnchanged) {
  // With its length: the NUL is part of the text.
  const std::string text("plain ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80, nul \0 ok", 39);
  EXPECT_EQ(sanitize_utf8(text), text);
}

TEST(Utf8, InvalidBytesAreReplacedOneForEachMaximalSubpart) {
  EXPECT_EQ(sanitize_utf8("a\xFF"
                          "b"),
            "a" + kFffd + "b");
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), kFffd + kFffd);  // overlong lead is invalid alone
  EXPECT_EQ(sanitize_utf8("\xE2\x82"
                          "x"),
            kFffd + "x");                                           // truncated 3-byte: one U+FFFD
  EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);  // surrogate
  EXPECT_EQ(sanitize_utf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
  EXPECT_EQ(sanitize_utf8("end\xF0\x9F\x98"), "end" + kFffd);  // incomplete at the very end
}

TEST(Utf8, IncompleteSuffixAndLeadingContinuations) {
  EXPECT_EQ(incomplete_suffix("abc"), 0u);
  EXPECT_EQ(incomplete_suffix("ab\xE2\x82"), 2u);
  EXPECT_EQ(incomplete_suffix("ab\xF0\x9F\x98"), 3u);
  EXPECT_EQ(incomplete_suffix("ab\xE2\x82\xAC"), 0u);
  EXPECT_EQ(incomplete_suffix("ab\xFF"), 0u);  // invalid, not incomplete
  EXPECT_EQ(leading_continuations("\x82\xAC"
                                  "ab"),
            2u);
  EXPECT_EQ(leading_continuations("ab"), 0u);
}

TEST(Utf8, BoundaryNeverSplitsACharacter) {
  const std::string text =
      "a\xE2\x82\xAC"
      "b";  // a € b
  EXPECT_EQ(boundary_at_most(text, 1), 1u);
  EXPECT_EQ(boundary_at_most(text, 2), 1u);
  EXPECT_EQ(boundary_at_most(text, 3), 1u);
  EXPECT_EQ(boundary_at_most(text, 4), 4u);
  EXPECT_EQ(boundary_at_most(text, 100), text.size());
  EXPECT_EQ(boundary_at_most("\xE2\x82\xAC", 1), 3u);  // one whole character at least
}

TEST(Utf8Stream, CharacterSplitAcrossChunksIsHeldBackNotReplaced) {
  Utf8Stream stream;
  std::string out;
  EXPECT_EQ(stream.position(), 0u);
  out += stream.feed("ab\xE2");
  EXPECT_EQ(out, "ab");
  EXPECT_EQ(stream.position(), 2u);
  out += stream.feed("\x82");
  EXPECT_EQ(stream.position(), 2u);
  out += stream.feed(
      "\xAC"
      "c");
  EXPECT_EQ(stream.position(), 6u);
  out += stream.finish();
  EXPECT_EQ(out,
            "ab\xE2\x82\xAC"
            "c");
}

TEST(Utf8Stream, EveryByteSplitGivesTheSameText) {
  const std::string text = "x\xF0\x9F\x98\x80y\xC3\xA9\xFFz\xE2\x82";
  const std::string expected = sanitize_utf8(text);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    Utf8Stream stream;
    std::string out;
    out += stream.feed(std::string_view(text).substr(0, cut));
    out += stream.feed(std::string_view(text).substr(cut));
    out += stream.finish();
    EXPECT_EQ(out, expected) << "cut at " << cut;
    EXPECT_EQ(stream.position(), text.size());
  }
}

TEST(Utf8Stream, TruncatedSequenceAtEndOfStreamIsReplaced) {
  Utf8Stream stream;
  EXPECT_EQ(stream.feed("ok\xE2\x82"), "ok");
  EXPECT_EQ(stream.finish(), kFffd);
}

TEST(Utf8, EscapeControlsMakesTerminalSequencesVisible) {
  // CSI clear screen, an OSC window title, a C1 CSI, BEL, DEL, a bare CR.
  const std::string hostile =
      "a\x1b[2J\x1b]0;owned\x07z\xc2\x9b"
      "31m\x7f\rend\tok";
  EXPECT_EQ(escape_controls(hostile), "a\\x1b[2J\\x1b]0;owned\\x07z\\u{9b}31m\\x7f\\x0dend\tok");
  EXPECT_EQ(escape_controls("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");
  // Idempotent: an escaped line holds no control byte any more.
  EXPECT_EQ(escape_controls(escape_controls(hostile)), escape_controls(hostile));
}

}  // namespace
}  // namespace oxydra::sys
