package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.metric4j.data.IjbConformance;
import org.metric4j.data.RecordIoConformance;
import org.metric4j.data.align.FaceAlignConformance;
import org.metric4j.data.VerificationBinConformance;

/**
 * Every InsightFace fixture (insightface/README.md beside them): each {@code *.json} with a {@code
 * kind} under the fixture folder, recursively, gives one reported test per check, dispatched on its
 * kind. An unknown kind fails; a kind of {@link #PENDING} is reported as aborted with the issue it
 * waits for, never skipped silently. Tolerances are the README's.
 *
 * <p>System property: {@code -Dmetric4j.insightface.fixtures=DIR} runs the fixtures of another
 * folder of the same layout (other architectures, other seeds) instead of the bundled ones.
 */
class InsightFaceFixtureTest {

    /** The system property naming another fixture folder. */
    static final String PROPERTY = "metric4j.insightface.fixtures";

    /**
     * Kinds not done yet: kind -> what they wait for (empty: every kind of the README has checks). This list may only
     * shrink: a kind leaves it when its checks are registered in {@link #checksOf}.
     */
    static final Map<String, String> PENDING = Map.of();

    /** Kinds with checks. */
    static final Set<String> DONE = Set.of("backbone", "recordio", "face_align", "ijb", "verification_bin");

    @TestFactory
    Stream<DynamicTest> fixtures() throws IOException, URISyntaxException {
        Path root = root();
        Map<String, JsonObject> found = find(root);
        assertFalse(found.isEmpty(), "no *.json with a 'kind' under " + root);
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonObject> e : found.entrySet()) {
            String name = e.getKey();
            JsonObject json = e.getValue();
            String kind = json.get("kind").getAsString();
            Path file = root.resolve(name);
            if (DONE.contains(kind)) {
                for (Map.Entry<String, org.junit.jupiter.api.function.Executable> check : checksOf(kind, file, json)
                        .entrySet()) {
                    tests.add(DynamicTest.dynamicTest(name + ": " + check.getKey(), check.getValue()));
                }
            } else if (PENDING.containsKey(kind)) {
                tests.add(DynamicTest.dynamicTest(name + " [" + kind + "]: pending",
                        () -> Assumptions.abort("pending: kind " + kind + " waits for " + PENDING.get(kind))));
            } else {
                tests.add(DynamicTest.dynamicTest(name + " [" + kind + "]: unknown kind",
                        () -> fail(name + ": unknown fixture kind '" + kind + "'; known: " + DONE + ", pending: "
                                + new TreeMap<>(PENDING).keySet())));
            }
        }
        return tests.stream();
    }

    /** The checks of one fixture of a kind in {@link #DONE}, by name, in order. */
    private static Map<String, org.junit.jupiter.api.function.Executable> checksOf(String kind, Path file,
            JsonObject json) {
        return switch (kind) {
            case "backbone" -> new BackboneConformance(file, json).checks();
            case "recordio" -> new RecordIoConformance(file, json).checks();
            case "face_align" -> new FaceAlignConformance(file, json).checks();
            case "ijb" -> new IjbConformance(file, json).checks();
            case "verification_bin" -> new VerificationBinConformance(file, json).checks();
            default -> throw new IllegalStateException("kind " + kind + " is in DONE without checks");
        };
    }

    @Test
    void aKindIsEitherDoneOrPending() {
        for (String kind : DONE) {
            assertFalse(PENDING.containsKey(kind), kind + " has checks and is still listed as pending");
        }
    }

    @Test
    void theBundledFixturesHaveTheFiveKindsOfTheReadme() throws Exception {
        Map<String, JsonObject> found = find(bundled());
        TreeMap<String, Integer> kinds = new TreeMap<>();
        found.values().forEach(j -> kinds.merge(j.get("kind").getAsString(), 1, Integer::sum));
        assertEquals("{backbone=2, face_align=1, ijb=1, recordio=1, verification_bin=1}", kinds.toString());
        assertTrue(found.containsKey("backbones/mbf.json") && found.containsKey("align/expected.json"),
                found.keySet().toString());
    }

    /** The folder of {@code -Dmetric4j.insightface.fixtures}, or the bundled one. */
    static Path root() throws URISyntaxException {
        String dir = System.getProperty(PROPERTY);
        if (dir != null && !dir.isBlank()) {
            Path p = Path.of(dir);
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException(PROPERTY + "=" + dir + " is not a folder");
            }
            return p;
        }
        return bundled();
    }

    private static Path bundled() throws URISyntaxException {
        return Path.of(InsightFaceFixtureTest.class.getResource("/insightface/README.md").toURI()).getParent();
    }

    /** Every {@code *.json} under the folder whose top level has a {@code kind}, by path relative to it. */
    static Map<String, JsonObject> find(Path root) throws IOException {
        Map<String, JsonObject> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).toList();
        }
        for (Path p : files) {
            JsonElement e = JsonParser.parseString(Files.readString(p, StandardCharsets.UTF_8));
            if (e.isJsonObject() && e.getAsJsonObject().has("kind")) {
                out.put(root.relativize(p).toString().replace('\\', '/'), e.getAsJsonObject());
            }
        }
        return out;
    }
}
