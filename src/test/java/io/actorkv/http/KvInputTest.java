package io.actorkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorkv.store.Precondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request parts clients can get wrong: each is either read exactly or answered 400 with its reason. */
class KvInputTest {

  // --- ttl ---

  @ParameterizedTest(name = "given ttl={0}, then the duration is {1}")
  @CsvSource({
      "30s, PT30S",
      "5m, PT5M",
      "1h, PT1H",
      "2d, PT48H",
      "500ms, PT0.5S",
      "1ms, PT0.001S",
      "36500d, PT876000H",
      "876000h, PT876000H"})
  void givenPositiveWholeNumberWithUnit_whenTtlRead_thenThatDuration(String ttl, Duration expected) {
    assertEquals(expected, KvInput.ttl(Optional.of(ttl)));
  }

  @Test
  void givenLeadingZeros_whenTtlRead_thenTheyCountForNothing() {
    assertEquals(Duration.ofSeconds(5), KvInput.ttl(Optional.of("00000000000005s")));
  }

  @Test
  void givenNoTtlParameter_whenTtlRead_thenNullMeaningNeverExpires() {
    assertNull(KvInput.ttl(Optional.empty()));
  }

  @ParameterizedTest(name = "given ttl=''{0}'', then 400 bad_ttl")
  @ValueSource(strings = {
      "0s", "0ms", "00d", "-1s", "+1s", "1.5s", "abc", "10", "1w", "1S", "1 s", " 1s", "1s ", "s", "",
      "36501d", "876001h", "999999999999d", "1000000000000ms"})
  void givenTtlThatIsNotAPositiveWholeNumberWithUnitUpTo100Years_whenTtlRead_thenBadTtl(String ttl) {
    assertBadRequest("bad_ttl", () -> KvInput.ttl(Optional.of(ttl)));
  }

  /** A TTL past 100 years says so, however many digits it has: 13 digits were called "not a whole number". */
  @ParameterizedTest(name = "given ttl={0}, then 400 bad_ttl saying at most 100 years")
  @ValueSource(strings = {"36501d", "9999999999999ms", "99999999999999999999999d"})
  void givenTtlPast100Years_whenTtlRead_thenTheMessageSaysSo(String ttl) {
    ApiError error = assertBadRequest("bad_ttl", () -> KvInput.ttl(Optional.of(ttl)));
    assertTrue(error.getMessage().contains("at most 100 years"), error.getMessage());
  }

  // --- content types ---

  @Test
  void aContentTypeInABodyIsStoredAsAHeaderWouldBeAndOneTooLongOrNotATypeIsRefused() {
    assertEquals("application/json", KvInput.contentType("application/json; charset=utf-8", "bad_operation"));
    assertEquals("text/plain; charset=UTF-8", KvInput.contentType("text/plain;charset=utf-8", "bad_operation"));
    assertBadRequest("bad_operation", () -> KvInput.contentType("garbage", "bad_operation"));
    assertBadRequest("bad_operation", () -> KvInput.contentType("text/plain\n", "bad_operation"));
    ApiError tooLong = assertBadRequest("bad_operation",
        () -> KvInput.contentType("text/plain; x=" + "a".repeat(KvInput.MAX_CONTENT_TYPE_CHARS), "bad_operation"));
    assertTrue(tooLong.getMessage().contains("at most " + KvInput.MAX_CONTENT_TYPE_CHARS), tooLong.getMessage());
  }

  // --- preconditions ---

  @Test
  void givenNoConditionalHeaders_whenPreconditionRead_thenNone() {
    assertEquals(Precondition.NONE, KvInput.precondition(Optional.empty(), Optional.empty()));
  }

  @ParameterizedTest(name = "given If-Match: {0}, then IfPresent")
  @ValueSource(strings = {"*", " * "})
  void givenIfMatchStar_whenPreconditionRead_thenIfPresent(String ifMatch) {
    assertEquals(new Precondition.IfPresent(), KvInput.precondition(Optional.of(ifMatch), Optional.empty()));
  }

  @ParameterizedTest(name = "given If-Match: {0}, then IfRevision({1})")
  @CsvSource(delimiter = '|', value = {
      "\"7\"|7",
      "\"0\"|0",
      "' \"42\" '|42",
      "\"999999999999999999\"|999999999999999999"})
  void givenIfMatchOneQuotedRevision_whenPreconditionRead_thenIfRevision(String ifMatch, long revision) {
    assertEquals(new Precondition.IfRevision(revision),
        KvInput.precondition(Optional.of(ifMatch), Optional.empty()));
  }

  @Test
  void givenIfNoneMatchStar_whenPreconditionRead_thenIfAbsent() {
    assertEquals(new Precondition.IfAbsent(), KvInput.precondition(Optional.empty(), Optional.of("*")));
  }

  @ParameterizedTest(name = "given If-Match: {0}, then 400 bad_precondition")
  @ValueSource(strings = {
      "7", "W/\"7\"", "\"a\"", "\"1\",\"2\"", "\"1\", \"2\"", "\"\"", "\"-1\"", "\"7", "\"1.0\"",
      "\"1000000000000000000\"", "**", ""})
  void givenIfMatchThatIsNotStarOrOneQuotedRevision_whenPreconditionRead_thenBadPrecondition(String ifMatch) {
    assertBadRequest("bad_precondition", () -> KvInput.precondition(Optional.of(ifMatch), Optional.empty()));
  }

  @ParameterizedTest(name = "given If-None-Match: {0}, then 400 bad_precondition")
  @ValueSource(strings = {"\"3\"", "3", "W/\"3\"", ""})
  void givenIfNoneMatchOtherThanStar_whenPreconditionRead_thenBadPrecondition(String ifNoneMatch) {
    assertBadRequest("bad_precondition", () -> KvInput.precondition(Optional.empty(), Optional.of(ifNoneMatch)));
  }

  @Test
  void givenBothIfMatchAndIfNoneMatch_whenPreconditionRead_thenBadPrecondition() {
    assertBadRequest("bad_precondition", () -> KvInput.precondition(Optional.of("\"1\""), Optional.of("*")));
    assertBadRequest("bad_precondition", () -> KvInput.precondition(Optional.of("*"), Optional.of("*")));
  }

  // --- keys ---

  @ParameterizedTest(name = "given path {0}, then key ''{1}''")
  @CsvSource(delimiter = '|', value = {
      "/a%2Fb|a/b",
      "/a%2fb|a/b",
      "/a/b|a/b",
      "/%F0%9F%98%80|\uD83D\uDE00",
      "/%25|%",
      "/%2525|%25",
      "/a%20b|a b",
      "/a+b|a+b",
      "/%41|A",
      "/x%41|xA",
      "/a/|a/",
      "//a|/a",
      "/%C3%A9t%C3%A9|\u00E9t\u00E9"})
  void givenPercentEncodedPath_whenKeyRead_thenDecodedOnceAsUtf8(String path, String key) {
    assertEquals(key, KvInput.key(path));
  }

  @Test
  void givenKeyOf1024Bytes_whenKeyRead_thenAccepted() {
    String ascii = "k".repeat(1024);
    String twoByteChars = "%C3%A9".repeat(512);

    assertEquals(ascii, KvInput.key("/" + ascii));
    assertEquals(1024, KvInput.key("/" + twoByteChars).getBytes(StandardCharsets.UTF_8).length);
    assertEquals(ascii, KvInput.key("/" + "%6B".repeat(1024)));
  }

  @Test
  void givenKeyOf1025Bytes_whenKeyRead_thenBadKeyWithItsSize() {
    ApiError error = assertBadRequest("bad_key", () -> KvInput.key("/" + "k".repeat(1025)));

    assertEquals(1025, error.details.get("keyBytes"));
    assertBadRequest("bad_key", () -> KvInput.key("/" + "%C3%A9".repeat(512) + "k"));
  }

  @ParameterizedTest(name = "given key ''{0}'' in a body, then 400 bad_key")
  @ValueSource(strings = {"", ".", "..", "\0", "a\0b", "\ud800"})
  void givenUnstorableOrUnnameableKeyInABody_whenRead_thenBadKey(String key) {
    assertBadRequest("bad_key", () -> KvInput.plainKey(key));
  }

  @Test
  void givenTextValueWithALoneSurrogate_whenRead_thenRefusedNotReplaced() {
    assertBadRequest("bad_value_code", () -> KvInput.textValue("a\udc00", "bad_value_code"));
    assertEquals("é\0", new String(KvInput.textValue("é\0", "x"), StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "given path ''{0}'', then 400 bad_key")
  @ValueSource(strings = {
      "/", "",
      "/%FF", "/%C3", "/%C0%AF", "/%ED%A0%80", "/%F0%9F%98",
      "/%4", "/a%", "/%", "/%zz", "/%4G", "/%G4", "/%-1", "/% 1", "/%00", "/a%00b"})
  void givenEmptyOrBadlyEncodedOrInvalidUtf8Key_whenKeyRead_thenBadKey(String path) {
    assertBadRequest("bad_key", () -> KvInput.key(path));
  }

  /**
   * A percent-escape is '%' and two ASCII hex digits (RFC 3986 HEXDIG). Other
   * Unicode digits must not decode, or distinct paths would name one key.
   */
  @ParameterizedTest(name = "given path ''{0}'', then 400 bad_key")
  @ValueSource(strings = {"/%\u0663\u0663", "/%\uFF13\uFF13", "/%\u0663A"})
  void givenPercentEscapeWithNonAsciiDigits_whenKeyRead_thenBadKey(String path) {
    assertBadRequest("bad_key", () -> KvInput.key(path));
  }

  /**
   * Characters sent unencoded stand for their own UTF-8 bytes, whole code
   * points included; text that is not valid UTF-16 has no UTF-8 form.
   */
  @ParameterizedTest(name = "given path {0}, then key ''{1}''")
  @CsvSource(delimiter = '|', value = {
      "/\u00E9|\u00E9",
      "/\uD83D\uDE00|\uD83D\uDE00",
      "/a\uD83D\uDE00b|a\uD83D\uDE00b",
      "/\uD83D\uDE00%F0%9F%98%80|\uD83D\uDE00\uD83D\uDE00"})
  void givenRawNonAsciiCharacters_whenKeyRead_thenEachStandsForItsUtf8Bytes(String path, String key) {
    assertEquals(key, KvInput.key(path));
  }

  @ParameterizedTest(name = "given path with lone surrogate {index}, then 400 bad_key")
  @ValueSource(strings = {"/\uD83D", "/a\uDE00"})
  void givenRawLoneSurrogate_whenKeyRead_thenBadKey(String path) {
    assertBadRequest("bad_key", () -> KvInput.key(path));
  }

  // --- namespaces ---

  @ParameterizedTest(name = "given namespace ''{0}'', then accepted")
  @ValueSource(strings = {
      "default", "a", "0", "9lives", "my-ns", "my_ns", "a-", "a_",
      "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0"}) // 63
  void givenNameOf1To63LowercaseLettersDigitsUnderscoresAndHyphensStartingWithLetterOrDigit_thenAccepted(
      String name) {
    assertEquals(name, KvInput.namespace(name));
  }

  @ParameterizedTest(name = "given namespace ''{0}'', then 400 bad_namespace")
  @ValueSource(strings = {
      "", "-a", "_a", "Default", "A", "my ns", " a", "a ", "a.b", "a/b", "a|b", "a%2Fb", "\u00E9",
      "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01"}) // 64
  void givenOtherName_whenNamespaceRead_thenBadNamespace(String name) {
    assertBadRequest("bad_namespace", () -> KvInput.namespace(name));
  }

  private static ApiError assertBadRequest(String code, Executable read) {
    ApiError error = assertThrows(ApiError.class, read);
    assertEquals(code, error.code);
    assertEquals(400, error.status.intValue());
    return error;
  }
}
