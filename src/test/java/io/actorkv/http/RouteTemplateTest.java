package io.actorkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

/** The route label of /metrics: a template per route, never the path a client sent. */
class RouteTemplateTest {

  @Test
  void everyRouteOfTheApiHasItsTemplate() {
    assertEquals("/v1/kv/{namespace}/{key}", template("GET", "/v1/kv/default/a/b"));
    assertEquals("/v1/kv/{namespace}", template("GET", "/v1/kv/default"));
    assertEquals("/v1/batch", template("POST", "/v1/batch"));
    assertEquals("/v1/kv/{namespace}/{key}/increment", template("POST", "/v1/kv/default/n/increment"));
    assertEquals("/v1/kv/{namespace}/{key}/revert", template("POST", "/v1/kv/default/n/revert"));
    assertEquals("/v1/history/{namespace}/{key}", template("GET", "/v1/history/default/k"));
    assertEquals("/v1/watch/{namespace}", template("GET", "/v1/watch/orders"));
    assertEquals("/v1/audit/{namespace}", template("GET", "/v1/audit/orders"));
    assertEquals("/v1/namespaces", template("GET", "/v1/namespaces"));
    assertEquals("/v1/namespaces/{name}", template("PUT", "/v1/namespaces/orders"));
    assertEquals("/v1/cluster", template("GET", "/v1/cluster"));
    assertEquals("unmatched", template("GET", "/v2/anything"));
  }

  private static String template(String method, String path) {
    return HttpApi.routeTemplate(HttpRequest.create(path).withMethod(HttpMethods.lookup(method).orElseThrow()));
  }
}
