package org.metric4j.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The Spark module uses the core and the application's engine interface, nothing else of metric4j. */
class SparkArchitectureTest {

    @Test
    void sparkImportsOnlyTheCoreAndTheEngineInterface() {
        JavaClasses spark = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.metric4j.spark");
        noClasses().that().resideInAPackage("org.metric4j.spark..").should().dependOnClassesThat()
                .resideInAnyPackage("org.metric4j.cli..", "org.metric4j.bench..", "org.metric4j.train..",
                        "org.metric4j.report..", "org.metric4j.index..", "org.metric4j.data..",
                        "org.metric4j.model..")
                .check(spark);
    }
}
