package org.metric4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core is the library: its classes use Java, DJL's API and the core's own packages only (every
 * DJL class they use comes from the {@code ai.djl:api} jar, not from an engine), its packages form
 * no cycle, and its POM's only compile dependency is {@code ai.djl:api}.
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

    @Test
    void everyDjlClassTheCoreUsesComesFromDjlsApiJar() throws ClassNotFoundException {
        TreeSet<String> outside = new TreeSet<>();
        for (JavaClass c : core) {
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass().getBaseComponentType();
                if (!target.getPackageName().startsWith("ai.djl")) {
                    continue;
                }
                Class<?> loaded = Class.forName(target.getName(), false, getClass().getClassLoader());
                String where = String.valueOf(loaded.getProtectionDomain().getCodeSource().getLocation());
                if (!where.matches(".*/ai/djl/api/[^/]+/api-[^/]+\\.jar")) {
                    outside.add(c.getName() + " -> " + target.getName() + " (" + where + ")");
                }
            }
        }
        assertEquals(new TreeSet<String>(), outside, "core classes use DJL classes from outside ai.djl:api");
    }

    @Test
    void theCoresOnlyCompileDependencyIsDjlsApi() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String deps = pom.substring(pom.indexOf("<dependencies>"), pom.indexOf("</dependencies>"));
        List<String> compile = new ArrayList<>();
        Matcher m = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(deps);
        while (m.find()) {
            String body = m.group(1);
            String scope = tag(body, "scope");
            if (scope == null || scope.equals("compile") || scope.equals("runtime")) {
                compile.add(tag(body, "groupId") + ":" + tag(body, "artifactId"));
            }
        }
        assertEquals(List.of("ai.djl:api"), compile, "metric4j-core's compile / runtime dependencies");
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">\\s*([^<]*?)\\s*</" + name + ">").matcher(xml);
        return m.find() ? m.group(1) : null;
    }
}
