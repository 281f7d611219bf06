package io.actorkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.junit.jupiter.api.Test;

/** The content type a GET answers with, from the string the value was stored with; parsed types are kept. */
class StoredContentTypeTest {

  @Test
  void aStoredTypeIsServedAsParsedTheFirstTimeAndEveryTimeAfter() {
    String stored = "application/json";
    assertEquals(ContentTypes.APPLICATION_JSON, KeyResponses.contentType(stored));
    assertEquals(ContentTypes.APPLICATION_JSON, KeyResponses.contentType(stored));
    assertEquals("text/plain; charset=UTF-8", KeyResponses.contentType("text/plain; charset=UTF-8").toString());
  }

  @Test
  void aTypeThatDoesNotParseIsServedAsOctetStreamEveryTime() {
    assertEquals(ContentTypes.APPLICATION_OCTET_STREAM, KeyResponses.contentType("not a type"));
    assertEquals(ContentTypes.APPLICATION_OCTET_STREAM, KeyResponses.contentType("not a type"));
  }

  @Test
  void typesBeyondWhatIsKeptAreStillServedAsParsed() {
    for (int i = 0; i < 2 * KeyResponses.PARSED_CONTENT_TYPES; i++) {
      String stored = "application/x-kind-" + i;
      assertEquals(stored, KeyResponses.contentType(stored).toString());
      assertEquals(stored, KeyResponses.contentType(stored).toString());
    }
  }
}
