package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.data.DatasetNotFoundException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Failures a person can read: bad input to every command class exits 2 with one line on standard
 * error and no stack trace; {@code -v} adds the stack; an internal failure exits 1; wrapped
 * exceptions read as one chain of messages without repeats.
 */
class ErrorReportTest {

    private static void assertOneLine(CliRun r, int code, String... mentions) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line expected:\n" + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(err.startsWith("metric4j"), err);
        for (String m : mentions) {
            assertTrue(err.contains(m), "the error should name " + m + ":\n" + err);
        }
    }

    @Test
    void badInputToEveryCommandIsOneLineAndExitCode2(@TempDir Path dir) {
        String missing = dir.resolve("missing.npy").toString();
        String out = dir.resolve("out").toString();
        assertOneLine(CliRun.of("demo", "--train-images", "many"), 2, "--train-images", "many");
        assertOneLine(CliRun.of("demo", "--dims", "4", "--output", out), 2, "--dims must be 2 and/or 3, each once, got [4]");
        assertOneLine(CliRun.of("demo", "--dims", "3,3", "--output", out), 2, "--dims", "[3, 3]");
        assertOneLine(CliRun.of("train", "--loss", "arcfase", "--dataset",
                "synthetic-faces:identities=4,images=4,size=32"), 2, "unknown loss 'arcfase'");
        assertOneLine(CliRun.of("train", "--epohcs", "3"), 2, "--epohcs");
        assertOneLine(CliRun.of("embed", "--model", dir.resolve("nomodel").toString(), "--output", out + ".npy"), 2,
                "nomodel");
        assertOneLine(CliRun.of("evaluate", "--embeddings", missing, "--retrieval"), 2, "missing.npy");
        assertOneLine(CliRun.of("compare", "--loss", "arcface", "--optimizer", "rmsprop", "--output", out), 2,
                "rmsprop");
        assertOneLine(CliRun.of("bench", "--suite", "nope"), 2, "nope");
        assertOneLine(CliRun.of("index", "build", "--embeddings", missing, "--index", out), 2, "missing.npy");
        assertOneLine(CliRun.of("index", "search", "--embeddings", missing, "--index", out), 2);
        assertOneLine(CliRun.of("index", "evaluate", "--embeddings", missing, "--index", out), 2);
        assertOneLine(CliRun.of("--config", dir.resolve("none.json").toString(), "train"), 2, "none.json");
    }

    @Test
    void verboseAddsTheStack() {
        CliRun r = CliRun.of("train", "-v", "--loss", "arcfase", "--dataset",
                "synthetic-faces:identities=4,images=4,size=32");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("metric4j train: error: ") && r.err().contains("unknown loss 'arcfase'"), r.err());
        assertTrue(r.err().contains("\tat "), "-v shows the stack:\n" + r.err());
        r = CliRun.of("-v", "train", "--epohcs", "3");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            Object nothing = List.of().isEmpty() ? null : "x";
            return nothing.hashCode(); // a bug: NullPointerException
        }
    }

    @Test
    void internalFailureExitsOneWithOneLineAndTheStackOnlyWithVerbose() {
        StringWriter e = new StringWriter();
        CommandLine cli = Metric4j.commandLine();
        cli.addSubcommand("boom", new Boom());
        cli.setErr(new PrintWriter(e));
        assertEquals(1, Metric4j.execute(cli, "boom"));
        assertEquals(1, e.toString().strip().lines().count(), e.toString());
        assertTrue(e.toString().startsWith("metric4j boom: error: NullPointerException"), e.toString());
        assertTrue(e.toString().contains("-v shows the stack trace"), e.toString());
        assertFalse(e.toString().contains("\tat "), e.toString());
        e.getBuffer().setLength(0);
        assertEquals(1, Metric4j.execute(cli, "-v", "boom"));
        assertTrue(e.toString().contains("\tat "), e.toString());
    }

    @Test
    void chainsUnwrapWithoutRepeats() {
        NoSuchFileException io = new NoSuchFileException("run/state.json");
        assertEquals("run/state.json: no such file or directory", ErrorReport.chain(new UncheckedIOException(io)));
        assertEquals("training output in run: run/state.json: no such file or directory",
                ErrorReport.chain(new UncheckedIOException("training output in run", io)));
        // an outer message that already quotes its cause adds it once
        IllegalArgumentException inner = new IllegalArgumentException("margin must be >= 0, got -1");
        assertEquals("--loss arcface: margin must be >= 0, got -1",
                ErrorReport.chain(new IllegalStateException("--loss arcface: " + inner.getMessage(), inner)));
        assertEquals("reading x: malformed",
                ErrorReport.chain(new RuntimeException(new IllegalStateException("reading x",
                        new java.io.IOException("malformed")))));
        assertEquals(2, ErrorReport.exitCode(new UncheckedIOException(io)));
        assertEquals(2, ErrorReport.exitCode(new RuntimeException(new IllegalArgumentException("x"))));
        assertEquals(1, ErrorReport.exitCode(new IllegalStateException("loss is NaN")));
        assertEquals(1, ErrorReport.exitCode(new ArithmeticException("/ by zero")));
    }

    @Test
    void aMissingDatasetKeepsItsPlacesAsIndentedLines() {
        DatasetNotFoundException e = new DatasetNotFoundException("Fashion-MNIST",
                List.of("/usr/share/a: missing", "dir=/x: missing"));
        String chain = ErrorReport.chain(new UncheckedIOException(e.getMessage(), e));
        List<String> lines = chain.lines().toList();
        assertEquals(3, lines.size(), chain);
        assertEquals("Fashion-MNIST not found; searched, in order:", lines.get(0));
        assertTrue(lines.get(1).startsWith("  1. /usr/share/a"), chain);
        assertEquals(2, ErrorReport.exitCode(new UncheckedIOException(e.getMessage(), e)));
    }
}
