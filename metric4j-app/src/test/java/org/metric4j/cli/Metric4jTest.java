package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** The command line, run in-process with captured output. */
class Metric4jTest {

    private static final class Run {
        final int code;
        final String out;
        final String err;

        Run(String... args) {
            CliRun r = CliRun.of(args);
            code = r.code();
            out = r.out();
            err = r.err();
        }
    }

    @Test
    void helpListsEverySubcommand() {
        Run r = new Run("--help");
        assertEquals(0, r.code);
        for (String sub : new String[] {"demo", "train", "embed", "export", "evaluate", "compare", "bench", "align", "pack"}) {
            assertTrue(r.out.contains(sub), "help should list " + sub + ":\n" + r.out);
        }
    }

    @Test
    void demoHelpDescribesTheComparison() {
        Run r = new Run("demo", "--help");
        assertEquals(0, r.code);
        for (String s : new String[] {"softmax", "center loss", "SphereFace", "CosFace", "ArcFace", "--train-images", "--output"}) {
            assertTrue(r.out.contains(s), "demo --help should mention " + s + ":\n" + r.out);
        }
    }

    @Test
    void unknownSuiteListsTheValidOnes() {
        Run r = new Run("bench", "--suite", "nope");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("nope") && r.err.contains("pair"), r.err);
    }

    @Test
    void unknownSubcommandIsAnError() {
        Run r = new Run("frobnicate");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("frobnicate"), r.err);
    }

    @Test
    void badIterationCountIsRejected() {
        Run r = new Run("bench", "--suite", "pair", "--iterations", "0");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--iterations"), r.err);
    }

    @Test
    void pairBenchPrintsOneJsonLinePerSelectedCase() {
        Run r = new Run("bench", "--suite", "pair", "--only", "^contrastive_b256$",
                "--warmup", "0", "--iterations", "2");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\n");
        assertEquals(1, lines.length, r.out);
        JsonObject json = JsonParser.parseString(lines[0]).getAsJsonObject();
        assertEquals("contrastive_b256", json.get("name").getAsString());
        assertTrue(json.get("ms_median").getAsDouble() > 0, lines[0]);
        assertTrue(json.get("peak_rss_mb").getAsDouble() > 0, lines[0]);
        assertEquals(256, json.get("batch").getAsInt());
        assertEquals(128, json.get("dim").getAsInt());
    }
}
