package io.actorkv;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layers a node's configuration, highest first: Java system properties
 * ({@code -Dactorkv.http.port=...}, as everywhere in Typesafe Config),
 * command-line options, {@code ACTORKV_*} environment variables, the
 * {@code --config} file, application.conf, then every module's reference.conf.
 */
public final class NodeConfig {

  /** The settings a user sets most: option name, configuration path, environment variable. */
  public enum Setting {
    DATA_DIR("actorkv.data-dir", "ACTORKV_DATA_DIR"),
    HTTP_HOST("actorkv.http.host", "ACTORKV_HTTP_HOST"),
    HTTP_PORT("actorkv.http.port", "ACTORKV_HTTP_PORT"),
    REMOTE_HOST("actorkv.remote.host", "ACTORKV_REMOTE_HOST"),
    REMOTE_PORT("actorkv.remote.port", "ACTORKV_REMOTE_PORT"),
    MANAGEMENT_PORT("actorkv.management.port", "ACTORKV_MANAGEMENT_PORT"),
    /** A list; the environment variable holds it comma-separated. */
    SEEDS("actorkv.seeds", "ACTORKV_SEEDS"),
    DB_URL("actorkv.db.url", "ACTORKV_DB_URL"),
    DB_USER("actorkv.db.user", "ACTORKV_DB_USER"),
    DB_PASSWORD("actorkv.db.password", "ACTORKV_DB_PASSWORD"),
    MAX_VALUE_BYTES("actorkv.max-value-bytes", "ACTORKV_MAX_VALUE_BYTES"),
    /** Fault-injection endpoints for tests; never on in production. */
    TEST_MODE("actorkv.test-mode", "ACTORKV_TEST_MODE");

    public final String path;
    public final String env;

    Setting(String path, String env) {
      this.path = path;
      this.env = env;
    }
  }

  private NodeConfig() {}

  /**
   * @param options values given on the command line (absent ones left out)
   * @param env the process environment
   * @param file the --config file, or null
   */
  public static Config load(Map<Setting, Object> options, Map<String, String> env, Path file) {
    Map<String, Object> fromEnv = new LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      String value = env.get(s.env);
      if (value != null && !value.isBlank()) {
        fromEnv.put(s.path, s == Setting.SEEDS ? Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList() : value);
      }
    }
    Config layered = overrides(options).withFallback(ConfigFactory.parseMap(fromEnv));
    if (file != null) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read --config file " + file);
      }
      layered = layered.withFallback(ConfigFactory.parseFile(file.toFile()));
    }
    return ConfigFactory.load(layered.withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
  }

  /** Convenience for embedding and tests: explicit settings over the defaults, nothing from the environment. */
  public static Config of(Map<Setting, Object> options, Config extra) {
    return ConfigFactory.load(overrides(options).withFallback(extra)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
  }

  private static Config overrides(Map<Setting, Object> options) {
    Config config = ConfigFactory.empty();
    for (var e : options.entrySet()) {
      Object v = e.getValue() instanceof List<?> l ? l : e.getValue().toString();
      config = config.withValue(e.getKey().path, ConfigValueFactory.fromAnyRef(v));
    }
    return config;
  }
}
