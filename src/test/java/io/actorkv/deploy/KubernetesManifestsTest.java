package io.actorkv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import io.actorkv.config.ActorKvSettings;
import io.actorkv.config.NodeConfig;
import io.actorkv.config.NodeConfig.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes against the code it deploys: every manifest parses, the
 * probes reach management's routes on its port, the pods carry the labels
 * discovery selects, RBAC grants what discovery calls and no more, and every
 * environment variable the Deployment sets is one the node reads, with values
 * it accepts. Nothing here needs a cluster; none was used (docs/kubernetes.md).
 */
class KubernetesManifestsTest {

  private static final Path DEPLOY = Path.of("deploy/kubernetes");
  private static final Path BASE = DEPLOY.resolve("base");
  private static final Path SECURE = DEPLOY.resolve("secure");
  private static final ObjectMapper YAML = new YAMLMapper();

  /** The node's defaults, as a pod gets them: application.conf and every reference.conf. */
  private static final Config DEFAULTS = NodeConfig.load(Map.of(), Map.of(), null);

  /** Every document of every manifest in the base, by kind and name. */
  private final Map<String, JsonNode> base = documents(BASE);

  @Test
  void everyManifestParsesAndTheKustomizationListsEachFileOfItsDirectory() throws IOException {
    for (Path dir : List.of(BASE, DEPLOY.resolve("postgres"), SECURE)) {
      JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
      Set<String> listed = new TreeSet<>();
      kustomization.path("resources").forEach(r -> listed.add(r.asText()));
      kustomization.path("patches").forEach(p -> listed.add(p.path("path").asText()));
      Set<String> files = yamlFiles(dir).stream().map(p -> p.getFileName().toString())
          .filter(f -> !f.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
      listed.removeIf(r -> r.startsWith("../"));
      assertEquals(files, listed, dir + ": kustomization.yaml must list every manifest beside it");
      assertFalse(documents(dir).isEmpty(), dir.toString());
    }
    assertEquals(Set.of("ServiceAccount/actorkv", "Role/actorkv-pod-reader", "RoleBinding/actorkv-pod-reader",
        "Deployment/actorkv", "Service/actorkv", "PodDisruptionBudget/actorkv"), base.keySet());
  }

  @Test
  void theProbesAskManagementsReadyAndAliveOnTheManagementPort() {
    JsonNode container = container();
    int management = DEFAULTS.getInt("actorkv.management.port");

    assertEquals(management, containerPort(container, "management"));
    assertEquals(DEFAULTS.getInt("pekko.management.http.port"), containerPort(container, "management"));
    assertEquals(DEFAULTS.getInt("actorkv.http.port"), containerPort(container, "http"));
    assertEquals(DEFAULTS.getInt("actorkv.remote.port"), containerPort(container, "remote"));
    assertEquals("/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("/alive", container.path("livenessProbe").path("httpGet").path("path").asText());
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      assertEquals("management", container.path(probe).path("httpGet").path("port").asText(), probe);
    }
    // Those paths are management's own health routes.
    assertEquals("ready", DEFAULTS.getString("pekko.management.health-checks.readiness-path"));
    assertEquals("alive", DEFAULTS.getString("pekko.management.health-checks.liveness-path"));
  }

  @Test
  void thePodsCarryTheLabelsDiscoverySelectsAndEverySelectorMatchesThem() {
    Map<String, String> selector = labelSelector(DEFAULTS.getString("actorkv.kubernetes.pod-label-selector"));
    assertEquals(selector, labelSelector(DEFAULTS.getString("pekko.discovery.kubernetes-api.pod-label-selector")));
    JsonNode deployment = base.get("Deployment/actorkv");
    Map<String, String> podLabels = strings(deployment.path("spec").path("template").path("metadata").path("labels"));

    assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), podLabels + " lacks " + selector);
    assertEquals(selector, strings(deployment.path("spec").path("selector").path("matchLabels")));
    assertEquals(selector, strings(base.get("Service/actorkv").path("spec").path("selector")));
    assertEquals(selector,
        strings(base.get("PodDisruptionBudget/actorkv").path("spec").path("selector").path("matchLabels")));
    assertEquals(1, base.get("PodDisruptionBudget/actorkv").path("spec").path("maxUnavailable").asInt());
    assertEquals("management", DEFAULTS.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));
  }

  /**
   * Discovery lists the pods of its namespace by label
   * ({@code GET /api/v1/namespaces/<ns>/pods?labelSelector=}, which
   * KubernetesBootstrapIT shows to be its only call): list on pods, nothing else.
   */
  @Test
  void theRoleGrantsListOnPodsOnlyAndIsBoundToThePodsServiceAccount() {
    JsonNode rules = base.get("Role/actorkv-pod-reader").path("rules");
    assertEquals(1, rules.size(), rules.toString());
    JsonNode rule = rules.get(0);
    assertEquals(List.of(""), texts(rule.path("apiGroups")));
    assertEquals(List.of("pods"), texts(rule.path("resources")));
    assertEquals(List.of("list"), texts(rule.path("verbs")));

    JsonNode binding = base.get("RoleBinding/actorkv-pod-reader");
    assertEquals("Role", binding.path("roleRef").path("kind").asText());
    assertEquals("actorkv-pod-reader", binding.path("roleRef").path("name").asText());
    String account = base.get("Deployment/actorkv").path("spec").path("template").path("spec")
        .path("serviceAccountName").asText();
    assertEquals("actorkv", account);
    assertEquals(List.of("ServiceAccount/" + account), texts(binding.path("subjects"), s ->
        s.path("kind").asText() + "/" + s.path("name").asText()));
  }

  @Test
  void everyVariableTheDeploymentSetsIsOneTheNodeReadsAndTheNodeAcceptsTheirValues() {
    Set<String> read = Stream.concat(Arrays.stream(Setting.values()).map(s -> s.env),
        Stream.of(NodeConfig.POD_NAMESPACE_ENV)).collect(Collectors.toSet());
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode var : container().path("env")) {
      String name = var.path("name").asText();
      assertTrue(read.contains(name), name + " is not read by the node (NodeConfig.Setting, POD_NAMESPACE)");
      env.put(name, valueInAPod(var));
    }
    assertEquals("kubernetes", env.get("ACTORKV_DISCOVERY"));
    assertEquals("status.podIP", fieldRef("ACTORKV_REMOTE_HOST"));
    assertEquals("metadata.namespace", fieldRef(NodeConfig.POD_NAMESPACE_ENV));

    ActorKvSettings settings = ActorKvSettings.from(NodeConfig.load(Map.of(), env, null));

    assertEquals(ActorKvSettings.Discovery.KUBERNETES, settings.discovery());
    assertEquals("0.0.0.0", settings.httpHost());
    assertEquals("10.1.2.3", settings.remoteHost());
    assertFalse(settings.embeddedDatabase(), "pods must share a PostgreSQL journal");
    List<String> dataMounts = texts(container().path("volumeMounts"), m -> m.path("mountPath").asText());
    assertTrue(dataMounts.contains(settings.dataDir().toString()), "data dir not on a volume: " + dataMounts);
    assertTrue(settings.auth().enabled(), "the API listens beyond loopback: it must require tokens");
    assertTrue(dataMounts.contains(Path.of(settings.auth().secretFile()).getParent().toString()),
        "the auth secret is not on a volume: " + dataMounts);
  }

  /**
   * The secure overlay's patch, merged into the base as kustomize merges
   * lists of a container (by name; mounts by mount path): the node runs
   * Artery over TLS from the Secret cert-manager writes for the overlay's
   * Certificate, signed by the overlay's own CA, and reads its master key
   * from the Secret the docs say to create.
   */
  @Test
  void theSecureOverlayGivesNodesTheClusterCertificateAndTheMasterKeyOnVolumes() {
    Map<String, JsonNode> secure = documents(SECURE);
    JsonNode patch = secure.get("Deployment/actorkv").path("spec").path("template").path("spec");
    JsonNode patched = patch.path("containers").get(0);
    assertEquals("actorkv", patched.path("name").asText());
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode var : merged(container().path("env"), patched.path("env"), "name")) {
      env.put(var.path("name").asText(), valueInAPod(var));
    }
    Map<String, JsonNode> mounts = byField(merged(container().path("volumeMounts"), patched.path("volumeMounts"),
        "mountPath"), "mountPath");
    Map<String, JsonNode> volumes = byField(merged(base.get("Deployment/actorkv").path("spec").path("template")
        .path("spec").path("volumes"), patch.path("volumes"), "name"), "name");
    Config config = NodeConfig.load(Map.of(), env, null);

    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"));
    Path tlsDir = Path.of(config.getString("actorkv.remote.tls-dir")); // the files come with the Secret
    assertEquals(tlsDir.resolve("ca.crt").toString(),
        config.getString("pekko.remote.artery.ssl.rotating-keys-engine.ca-cert-file"));
    JsonNode certificate = secure.get("Certificate/actorkv-cluster").path("spec");
    assertEquals(certificate.path("secretName").asText(), secretOn(tlsDir, mounts, volumes),
        "the cluster TLS directory is the Secret of the nodes' Certificate");
    assertTrue(texts(certificate.path("usages")).containsAll(List.of("server auth", "client auth")),
        "Artery's TLS is mutual: each node is a server and a client");
    JsonNode issuer = secure.get("Issuer/" + certificate.path("issuerRef").path("name").asText()).path("spec");
    assertEquals(secure.get("Certificate/actorkv-ca").path("spec").path("secretName").asText(),
        issuer.path("ca").path("secretName").asText(), "the nodes' certificate is signed by the overlay's CA");

    Path masterKey = Path.of(config.getString("actorkv.encryption.master-key-file"));
    assertEquals("actorkv-master-key", secretOn(masterKey.getParent(), mounts, volumes));
  }

  /** The Secret mounted at {@code path}, read-only. */
  private static String secretOn(Path path, Map<String, JsonNode> mounts, Map<String, JsonNode> volumes) {
    JsonNode mount = mounts.get(path.toString());
    assertTrue(mount != null, path + " is not on a volume: " + mounts.keySet());
    assertTrue(mount.path("readOnly").asBoolean(), path + " must be mounted read-only");
    return volumes.get(mount.path("name").asText()).path("secret").path("secretName").asText();
  }

  /** {@code base}'s entries with {@code patch}'s added or put in place of those with the same {@code key}. */
  private static List<JsonNode> merged(JsonNode base, JsonNode patch, String key) {
    Map<String, JsonNode> byKey = byField(toList(base), key);
    byKey.putAll(byField(toList(patch), key));
    return new ArrayList<>(byKey.values());
  }

  private static List<JsonNode> toList(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  private static Map<String, JsonNode> byField(List<JsonNode> nodes, String field) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    nodes.forEach(n -> out.put(n.path(field).asText(), n));
    return out;
  }

  @Test
  void podsRunAsTheImagesNonRootUserAndGetLongerToStopThanCoordinatedShutdownTakes() throws IOException {
    JsonNode pod = base.get("Deployment/actorkv").path("spec").path("template").path("spec");
    JsonNode security = pod.path("securityContext");
    assertTrue(security.path("runAsNonRoot").asBoolean());
    String user = Files.readAllLines(Path.of("Dockerfile")).stream().filter(l -> l.startsWith("USER "))
        .findFirst().orElseThrow().substring("USER ".length()).split(":")[0];
    assertEquals(user, security.path("runAsUser").asText(), "the Dockerfile's USER and the pod's runAsUser");
    assertFalse(container().path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));

    // SIGTERM runs every phase of coordinated shutdown, each up to its timeout, shard handoff among them.
    Config phases = DEFAULTS.getConfig("pekko.coordinated-shutdown.phases");
    Duration defaultTimeout = DEFAULTS.getDuration("pekko.coordinated-shutdown.default-phase-timeout");
    Duration worstCase = phases.root().keySet().stream()
        .map(p -> phases.hasPath(p + ".timeout") ? phases.getDuration(p + ".timeout") : defaultTimeout)
        .reduce(Duration.ZERO, Duration::plus);
    Duration grace = Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong());
    assertTrue(grace.compareTo(worstCase) > 0, "grace " + grace + " <= coordinated shutdown's " + worstCase);
    assertTrue(grace.compareTo(DEFAULTS.getDuration("pekko.cluster.sharding.handoff-timeout")) > 0);
  }

  // --- reading the manifests ---

  private JsonNode container() {
    JsonNode containers = base.get("Deployment/actorkv").path("spec").path("template").path("spec")
        .path("containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private String fieldRef(String name) {
    for (JsonNode var : container().path("env")) {
      if (var.path("name").asText().equals(name)) {
        return var.path("valueFrom").path("fieldRef").path("fieldPath").asText();
      }
    }
    throw new AssertionError(name + " not set");
  }

  /** A variable's value as a pod would see it: literal, or a stand-in for what Kubernetes fills in. */
  private static String valueInAPod(JsonNode var) {
    if (var.has("value")) return var.path("value").asText();
    JsonNode from = var.path("valueFrom");
    if (from.has("fieldRef")) {
      return switch (from.path("fieldRef").path("fieldPath").asText()) {
        case "status.podIP" -> "10.1.2.3";
        case "metadata.namespace" -> "actorkv";
        default -> throw new AssertionError("unexpected fieldRef in " + var);
      };
    }
    JsonNode secret = from.path("secretKeyRef");
    assertEquals("actorkv-db", secret.path("name").asText(), var.toString());
    return switch (secret.path("key").asText()) {
      case "url" -> "jdbc:postgresql://actorkv-postgres:5432/actorkv";
      case "user", "password" -> "actorkv";
      default -> throw new AssertionError("unexpected secret key in " + var);
    };
  }

  private static int containerPort(JsonNode container, String name) {
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").asText().equals(name)) return port.path("containerPort").asInt();
    }
    throw new AssertionError("no container port named " + name);
  }

  /** {@code a=b,c=d} as a map; only equality selectors, the kind discovery is given. */
  private static Map<String, String> labelSelector(String selector) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String term : selector.split(",")) {
      String[] kv = term.trim().split("=", 2);
      assertEquals(2, kv.length, "not an equality selector: " + selector);
      labels.put(kv[0], kv[1]);
    }
    return labels;
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    return texts(array, JsonNode::asText);
  }

  private static List<String> texts(JsonNode array, java.util.function.Function<JsonNode, String> f) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(f.apply(n)));
    return out;
  }

  private static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError("cannot list " + dir, e);
    }
  }

  private static Map<String, JsonNode> documents(Path dir) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (Path file : yamlFiles(dir)) {
      if (file.getFileName().toString().equals("kustomization.yaml")) continue;
      try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class)
          .readValues(new YAMLFactory().createParser(file.toFile()))) {
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          assertTrue(doc.hasNonNull("apiVersion") && doc.hasNonNull("kind"), file + ": " + doc);
          String key = doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
          assertFalse(byName.containsKey(key), file + " repeats " + key);
          byName.put(key, doc);
        }
      } catch (IOException e) {
        throw new AssertionError(file + " does not parse", e);
      }
    }
    return byName;
  }
}
