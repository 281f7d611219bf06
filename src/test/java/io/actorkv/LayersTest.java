package io.actorkv;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages' layers, top to bottom: a package uses only those below it,
 * and no two packages use each other, however indirectly. When this fails,
 * move the code, or the interface it needs, down; do not loosen the rule.
 */
class LayersTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.actorkv");

  @Test
  void eachPackageUsesOnlyTheLayersBelowIt() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("cli").definedBy("io.actorkv.cli..")
        .layer("node").definedBy("io.actorkv.node..")
        .layer("http").definedBy("io.actorkv.http..")
        .layer("audit").definedBy("io.actorkv.audit..")
        .layer("backup").definedBy("io.actorkv.backup..")
        .layer("metrics").definedBy("io.actorkv.metrics..")
        .layer("security").definedBy("io.actorkv.security..")
        .layer("stores").definedBy("io.actorkv.strong..", "io.actorkv.eventual..")
        .layer("crypto").definedBy("io.actorkv.crypto..")
        .layer("journal").definedBy("io.actorkv.journal..")
        .layer("cluster").definedBy("io.actorkv.cluster..")
        .layer("store").definedBy("io.actorkv.store..")
        .layer("namespace").definedBy("io.actorkv.namespace..")
        .layer("config").definedBy("io.actorkv.config..")
        .layer("base").definedBy("io.actorkv.base..")
        .layer("client").definedBy("io.actorkv.client..")
        .layer("tls").definedBy("io.actorkv.tls..")
        .layer("verify").definedBy("io.actorkv.verify..")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("node").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("audit").mayOnlyBeAccessedByLayers("cli", "node")
        .whereLayer("backup").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("http").mayOnlyBeAccessedByLayers("node")
        .whereLayer("metrics").mayOnlyBeAccessedByLayers("node", "http")
        .whereLayer("security").mayOnlyBeAccessedByLayers("cli", "node", "http")
        .whereLayer("stores").mayOnlyBeAccessedByLayers("node", "audit")
        .whereLayer("crypto").mayOnlyBeAccessedByLayers("node", "stores")
        .whereLayer("journal").mayOnlyBeAccessedByLayers("cli", "node", "audit", "backup", "crypto")
        .whereLayer("cluster").mayOnlyBeAccessedByLayers("node", "http")
        .whereLayer("store").mayOnlyBeAccessedByLayers("cli", "node", "http", "metrics", "security", "stores",
            "audit", "crypto")
        .whereLayer("namespace").mayOnlyBeAccessedByLayers("cli", "node", "http", "metrics", "security", "stores",
            "store")
        .whereLayer("config").mayOnlyBeAccessedByLayers("cli", "node", "http", "journal")
        .whereLayer("client").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("tls").mayOnlyBeAccessedByLayers("node", "client")
        .whereLayer("verify").mayOnlyBeAccessedByLayers("cli")
        .check(MAIN);
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.actorkv.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theModesKnowNothingOfEachOther() {
    noClasses().that().resideInAPackage("io.actorkv.strong..")
        .should().dependOnClassesThat().resideInAPackage("io.actorkv.eventual..").check(MAIN);
    noClasses().that().resideInAPackage("io.actorkv.eventual..")
        .should().dependOnClassesThat().resideInAPackage("io.actorkv.strong..").check(MAIN);
  }

  @Test
  void theBasePackageStandsOnNothingOfOurs() {
    noClasses().that().resideInAPackage("io.actorkv.base..")
        .should().dependOnClassesThat().resideOutsideOfPackages("io.actorkv.base..", "java..", "javax..", "scala..",
            "org.apache.pekko..", "com.fasterxml..", "com.typesafe..")
        .check(MAIN);
  }

  @Test
  void everyClassIsInALayer() {
    noClasses().should().resideInAPackage("io.actorkv").check(MAIN);
  }
}
