package io.actorkv.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;

/**
 * The API's JSON: one mapper, ISO-8601 times, and strict on input: unknown
 * fields, repeated fields, trailing content, values of another JSON type
 * than the field's and (read through {@link #read}) an explicit null are
 * errors, never guessed at.
 */
final class Json {

  static final ObjectMapper MAPPER = strict(JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build());

  /** A value must have the JSON type its field has: no number as a name, no "7" as a count, no 7.5 as 7. */
  private static ObjectMapper strict(JsonMapper mapper) {
    for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Enum)) {
      mapper.coercionConfigFor(type)
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
    mapper.coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  private Json() {}

  /**
   * {@code body} as a {@code type}, read by {@link #MAPPER}; an explicit
   * null anywhere fails as a {@link JsonMappingException}, where the mapper
   * alone would take it for an absent field (a batch's {@code "by": null}
   * for an increment by 1).
   */
  static <T> T read(byte[] body, Class<T> type) throws IOException {
    try (JsonParser parser = new NoNulls(MAPPER.createParser(body))) {
      return MAPPER.readValue(parser, type);
    }
  }

  private static final class NoNulls extends JsonParserDelegate {

    NoNulls(JsonParser parser) {
      super(parser);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      return refuseNull(super.nextToken());
    }

    @Override
    public JsonToken nextValue() throws IOException {
      return refuseNull(super.nextValue());
    }

    private JsonToken refuseNull(JsonToken token) throws JsonMappingException {
      if (token == JsonToken.VALUE_NULL) {
        throw JsonMappingException.from(this, "null is not a value here; leave the field out instead");
      }
      return token;
    }
  }

  static HttpResponse response(StatusCode status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + body.getClass(), e);
    }
  }
}
