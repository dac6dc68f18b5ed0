package org.metric4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application's dependencies go one way: cli -> (train, index, report, bench, engine) ->
 * (data, model) -> the core (distance, miner, reducer, loss, head, eval, schedule, math,
 * sampler, dataset, io); no package cycle anywhere.
 */
class ArchitectureTest {

    private static JavaClasses all;

    @BeforeAll
    static void importAll() {
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.metric4j");
    }

    @Test
    void layersDependDownwardsOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("org.metric4j.cli..")
                .layer("services").definedBy("org.metric4j.train..", "org.metric4j.index..",
                        "org.metric4j.report..", "org.metric4j.bench..", "org.metric4j.engine..")
                .layer("data and models").definedBy("org.metric4j.data..", "org.metric4j.model..")
                .layer("core").definedBy("org.metric4j.distance..", "org.metric4j.miner..",
                        "org.metric4j.reducer..", "org.metric4j.loss..", "org.metric4j.head..",
                        "org.metric4j.eval..", "org.metric4j.schedule..", "org.metric4j.math..",
                        "org.metric4j.sampler..", "org.metric4j.dataset..", "org.metric4j.io..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("services").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("data and models").mayOnlyBeAccessedByLayers("cli", "services")
                .check(all);
    }

    @Test
    void benchmarksNeverImportTheCommandLine() {
        noClasses().that().resideInAPackage("org.metric4j.bench..").should().dependOnClassesThat()
                .resideInAPackage("org.metric4j.cli..").check(all);
    }

    @Test
    void thePackagesFormNoCycle() {
        slices().matching("org.metric4j.(*)..").should().beFreeOfCycles().check(all);
    }
}
