package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The recorded command is the one typed: the subcommand once, arguments with spaces quoted. */
class TypedCommandTest {

    private static String typed(String... args) {
        CommandLine cli = Metric4j.commandLine();
        CommandLine.ParseResult r = cli.parseArgs(args);
        return TypedCommand.of(r.subcommand().commandSpec());
    }

    @Test
    void theSubcommandAppearsOnceAndSpacesAreQuoted() {
        assertEquals("metric4j demo --train-images 400 --output /tmp/d", typed("demo", "--train-images", "400",
                "--output", "/tmp/d"));
        assertEquals("metric4j compare --loss softmax --output 'my runs/x' --loss 'it'\\''s'",
                typed("compare", "--loss", "softmax", "--output", "my runs/x", "--loss", "it's"));
        assertEquals("metric4j train --epochs 1", typed("train", "--epochs", "1"));
    }
}
