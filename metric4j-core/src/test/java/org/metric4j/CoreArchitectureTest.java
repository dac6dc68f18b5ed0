package org.metric4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core is the library: its classes use Java, DJL's API and the core's own packages only, and
 * its packages form no cycle.
 */
class CoreArchitectureTest {

    /** The core's packages (each with its sub-packages). */
    static final String[] CORE = {"org.metric4j.distance..", "org.metric4j.miner..", "org.metric4j.reducer..",
        "org.metric4j.loss..", "org.metric4j.head..", "org.metric4j.eval..", "org.metric4j.schedule..",
        "org.metric4j.math..", "org.metric4j.sampler..", "org.metric4j.dataset..", "org.metric4j.io.."};

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.metric4j");
    }

    @Test
    void everyCoreClassIsInACorePackage() {
        classes().that().doNotHaveSimpleName("package-info").should().resideInAnyPackage(CORE).check(core);
    }

    @Test
    void theCoreDependsOnJavaAndDjlsApiOnly() {
        String[] allowed = new String[CORE.length + 2];
        allowed[0] = "java..";
        allowed[1] = "ai.djl..";
        System.arraycopy(CORE, 0, allowed, 2, CORE.length);
        classes().should().onlyDependOnClassesThat().resideInAnyPackage(allowed).check(core);
    }

    @Test
    void theCorePackagesFormNoCycle() {
        slices().matching("org.metric4j.(*)..").should().beFreeOfCycles().check(core);
    }
}
