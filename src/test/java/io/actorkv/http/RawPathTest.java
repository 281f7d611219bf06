package io.actorkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The raw request target: its query as sent, and escapes that must be UTF-8 to name anything. */
class RawPathTest {

  @ParameterizedTest(name = "{0} has only UTF-8 escapes")
  @ValueSource(strings = {"", "prefix=a", "prefix=%C3%A9", "prefix=%EF%BF%BD", "a=%25FF", "a=%41%42", "k=%F0%9F%98%80",
      "a=%C3%A9&b=%E2%82%AC", "%41"})
  void validEscapesPass(String raw) {
    assertTrue(RawPath.escapesAreUtf8(raw), raw);
  }

  @ParameterizedTest(name = "{0} is refused")
  @ValueSource(strings = {"prefix=%FF", "a=%C3%28", "a=%C0%80", "a=%ED%A0%80", "a=%C3", "a=%C3x%A9", "x=%E2%82",
      "%FF"})
  void escapesThatAreNotUtf8AreRefused(String raw) {
    assertFalse(RawPath.escapesAreUtf8(raw), raw);
  }

  @Test
  void theQueryIsWhatFollowsTheFirstQuestionMark() {
    assertEquals("a=1&b=?", RawPath.query("/v1/kv/ns?a=1&b=?"));
    assertEquals("", RawPath.query("/v1/kv/ns"));
  }
}
