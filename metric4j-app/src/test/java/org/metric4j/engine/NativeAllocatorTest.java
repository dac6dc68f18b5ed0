package org.metric4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.metric4j.support.Requirements;

/**
 * {@code scripts/native-allocator.sh}, as the launcher sources it, and {@link NativeAllocator}
 * in the JVM it starts: auto preloads jemalloc when it is installed (CI installs it) and
 * otherwise says once that it keeps glibc's; jemalloc and system as asked; a bad value is one line
 * and exit 2; a MALLOC_CONF of the user's own wins.
 */
class NativeAllocatorTest {

    private static final String SCRIPT = Path.of("..", "scripts", "native-allocator.sh").toAbsolutePath().toString();
    private static final String KEPT = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

    /** This JVM's allocator is the one its LD_PRELOAD names, glibc's when it names none. */
    @Test
    void thisJvmReportsTheAllocatorItsPreloadNames() {
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        String expected = List.of("jemalloc", "tcmalloc", "mimalloc").stream()
                .filter(name -> preload.contains("lib" + name)).findFirst().orElse("glibc");
        assertEquals(Files.isReadable(Path.of("/proc/self/maps")) ? expected : "system", NativeAllocator.name(),
                "LD_PRELOAD=" + preload);
    }

    @Test
    void systemPreloadsNothing() throws Exception {
        Run r = source(Map.of("METRIC4J_ALLOCATOR", "system"), "echo \"[$LD_PRELOAD][$MALLOC_CONF]\"");
        assertEquals(0, r.code, r.err);
        assertEquals("[][]", r.out.strip());
        assertEquals("", r.err.strip());
    }

    @Test
    void aBadValueIsOneLineAndExitTwo() throws Exception {
        Run r = source(Map.of("METRIC4J_ALLOCATOR", "tcmalloc"), "echo started");
        assertEquals(2, r.code);
        assertEquals("", r.out.strip());
        assertEquals("metric4j: METRIC4J_ALLOCATOR must be auto, jemalloc or system, got 'tcmalloc'", r.err.strip());
    }

    @Test
    void autoPreloadsJemallocWhenInstalledAndTheJvmRunsOnIt() throws Exception {
        Run r = source(Map.of(), "echo \"$LD_PRELOAD|$MALLOC_CONF\" && exec \"$0\" -cp \"$1\" \"$2\"",
                javaCommand());
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\n");
        boolean installed = !lines[0].startsWith("|");
        Requirements.require(installed, "libjemalloc.so.2 (Debian: apt-get install libjemalloc2)");
        String lib = lines[0].substring(0, lines[0].indexOf('|'));
        assertTrue(lib.endsWith("/libjemalloc.so.2") && Files.isRegularFile(Path.of(lib)), lines[0]);
        assertEquals(KEPT, lines[0].substring(lines[0].indexOf('|') + 1));
        assertEquals("jemalloc", lines[1]);
        assertEquals("", r.err.strip());
    }

    @Test
    void autoWithoutJemallocKeepsGlibcAndSaysSo() throws Exception {
        Run r = source(Map.of(), "echo \"[$LD_PRELOAD]\"");
        assertEquals(0, r.code, r.err);
        if (r.out.strip().equals("[]")) {
            assertTrue(r.err.strip().startsWith("metric4j: no libjemalloc.so.2 found, using glibc's malloc"), r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
        } else {
            assertEquals("", r.err.strip());
        }
    }

    @Test
    void jemallocKeepsTheUsersMallocConf() throws Exception {
        Run probe = source(Map.of("METRIC4J_ALLOCATOR", "jemalloc"), "echo \"$MALLOC_CONF\"");
        if (probe.code == 2) {
            assertTrue(probe.err.contains("METRIC4J_ALLOCATOR=jemalloc, but no libjemalloc.so.2 was found"), probe.err);
            Requirements.require(false, "libjemalloc.so.2 (Debian: apt-get install libjemalloc2)");
        }
        assertEquals(KEPT, probe.out.strip());
        Run r = source(Map.of("METRIC4J_ALLOCATOR", "jemalloc", "MALLOC_CONF", "narenas:2"), "echo \"$MALLOC_CONF\"");
        assertEquals(0, r.code, r.err);
        assertEquals("narenas:2", r.out.strip());
    }

    /** Prints {@link NativeAllocator#name()} in a JVM started through the script. */
    public static final class Printer {
        public static void main(String[] args) {
            System.out.println(NativeAllocator.name());
        }
    }

    private record Run(int code, String out, String err) {}

    private static List<String> javaCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), Printer.class.getName());
    }

    private static Run source(Map<String, String> env, String then) throws Exception {
        return source(env, then, List.of());
    }

    /** Sources the script in bash from an environment without allocator settings, then runs {@code then}. */
    private static Run source(Map<String, String> env, String then, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", ". \"" + SCRIPT + "\" && " + then));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (String v : List.of("LD_PRELOAD", "MALLOC_CONF", "METRIC4J_ALLOCATOR")) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        Path out = Files.createTempFile("allocator", ".out");
        Path err = Files.createTempFile("allocator", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script did not finish");
            return new Run(p.exitValue(), read(out), read(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
