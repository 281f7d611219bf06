package io.actorkv;

import static java.util.stream.Collectors.toCollection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Pekko refuses to run with core modules of different versions, and then only
 * at startup; this fails the build instead when a dependency drags in another
 * version. Reads the test JVM's class path (Surefire sets java.class.path to
 * the real test class path even with its manifest-only booter jar).
 */
class PekkoModulesTest {

  private static final String PEKKO_VERSION = "1.7.0";
  private static final String PEKKO_HTTP_VERSION = "1.3.0";

  /** artifactId_scalaBinary-version.jar, as Maven lays jars out. */
  private static final Pattern PEKKO_JAR = Pattern.compile("(pekko-[a-z0-9-]+)_(\\d+(?:\\.\\d+)?)-(\\d[^/]*)\\.jar");

  /** Released by the pekko-http project, with its own version: pekko-http* and its parser. */
  private static final Predicate<String> HTTP_MODULE = m -> m.startsWith("pekko-http") || m.equals("pekko-parsing");

  /**
   * Released by the pekko-management project, with its own version: management, its cluster routes,
   * bootstrap and the discovery methods (pekko-discovery-kubernetes-api), but not pekko-discovery itself.
   */
  private static final Predicate<String> MANAGEMENT_MODULE = m -> m.startsWith("pekko-management")
      || m.startsWith("pekko-discovery-");

  private static final String PEKKO_MANAGEMENT_VERSION = "1.1.1";

  /** A core module pinned in the pom below Pekko's version: the newest our registry serves. */
  private static final Map<String, String> PINNED = Map.of("pekko-discovery", "1.2.1");

  /** Released separately, or pinned on purpose in the pom, so not held to Pekko's version. */
  private static final Predicate<String> SEPARATELY_VERSIONED = m -> m.equals("pekko-persistence-jdbc")
      || MANAGEMENT_MODULE.test(m) || PINNED.containsKey(m);

  private static final Predicate<String> CORE_MODULE = HTTP_MODULE.or(SEPARATELY_VERSIONED).negate();

  @Test
  void givenTestClassPath_thenEveryPekkoCoreModuleIsVersion170() {
    Map<String, Set<String>> core = versionsOf(CORE_MODULE);

    assertTrue(core.size() >= 8, "expected at least 8 Pekko core modules on the class path, found " + core);
    assertTrue(core.keySet().containsAll(List.of(
            "pekko-actor", "pekko-actor-typed", "pekko-stream", "pekko-cluster-sharding-typed",
            "pekko-persistence-typed", "pekko-serialization-jackson")),
        "core modules the node needs are missing: " + core.keySet());
    assertEquals(Map.of(), mismatches(core, PEKKO_VERSION),
        "Pekko core modules must all be " + PEKKO_VERSION + "; pin the ones listed (all found: " + core + ")");
  }

  @Test
  void givenTestClassPath_thenEveryPekkoHttpModuleIsVersion130() {
    Map<String, Set<String>> http = versionsOf(HTTP_MODULE);

    assertTrue(http.keySet().containsAll(List.of("pekko-http", "pekko-http-core")),
        "expected pekko-http and pekko-http-core on the class path, found " + http);
    assertEquals(Map.of(), mismatches(http, PEKKO_HTTP_VERSION),
        "Pekko HTTP modules must all be " + PEKKO_HTTP_VERSION + " (all found: " + http + ")");
  }

  @Test
  void givenTestClassPath_thenEveryPekkoManagementModuleIsVersion111() {
    Map<String, Set<String>> management = versionsOf(MANAGEMENT_MODULE);

    assertTrue(management.keySet().containsAll(List.of("pekko-management", "pekko-management-cluster-http",
            "pekko-management-cluster-bootstrap", "pekko-discovery-kubernetes-api")),
        "expected management, its cluster routes, bootstrap and Kubernetes discovery, found " + management);
    assertEquals(Map.of(), mismatches(management, PEKKO_MANAGEMENT_VERSION),
        "Pekko Management modules must all be " + PEKKO_MANAGEMENT_VERSION + " (all found: " + management + ")");
  }

  /** The one mixed core module, tolerated by pekko.fail-mixed-versions = off: exactly the pinned version. */
  @Test
  void givenTestClassPath_thenEachPinnedModuleHasItsPinnedVersionOnly() {
    for (var pin : PINNED.entrySet()) {
      assertEquals(Map.of(pin.getKey(), Set.of(pin.getValue())), versionsOf(m -> m.equals(pin.getKey())),
          pin.getKey() + " must be pinned to " + pin.getValue() + " before the BOM import in pom.xml");
    }
  }

  @Test
  void givenTestClassPath_thenEveryPekkoJarIsBuiltForScala213() {
    Set<String> otherScala = pekkoJars()
        .filter(m -> !m.group(2).equals("2.13"))
        .map(m -> m.group(0))
        .collect(toCollection(TreeSet::new));

    assertTrue(pekkoJars().count() >= 10, "expected Pekko jars on the class path: " + classPath());
    assertEquals(Set.of(), otherScala, "Pekko jars for another Scala version than 2.13");
  }

  /** Module name to every version of it found; more than one version is a mismatch too. */
  private static Map<String, Set<String>> versionsOf(Predicate<String> modules) {
    Map<String, Set<String>> versions = new TreeMap<>();
    pekkoJars()
        .filter(m -> modules.test(m.group(1)))
        .forEach(m -> versions.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(3)));
    return versions;
  }

  private static Map<String, Set<String>> mismatches(Map<String, Set<String>> versions, String expected) {
    Map<String, Set<String>> wrong = new TreeMap<>(versions);
    wrong.values().removeIf(v -> v.equals(Set.of(expected)));
    return wrong;
  }

  private static java.util.stream.Stream<Matcher> pekkoJars() {
    return classPath().stream()
        .map(entry -> Path.of(entry).getFileName())
        .filter(name -> name != null)
        .map(name -> PEKKO_JAR.matcher(name.toString()))
        .filter(Matcher::matches);
  }

  private static List<String> classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .toList();
  }
}
