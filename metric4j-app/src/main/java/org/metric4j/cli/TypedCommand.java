package org.metric4j.cli;

import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command line as the user typed it, for run.json, results.json and reports: {@code metric4j}
 * and the original arguments (which already begin with the subcommand's name), an argument with
 * a space or a quote quoted for a POSIX shell.
 */
final class TypedCommand {

    private TypedCommand() {}

    /** The typed command of the parse result {@code spec} belongs to. */
    static String of(CommandSpec spec) {
        return "metric4j " + spec.commandLine().getParseResult().originalArgs().stream().map(TypedCommand::quote)
                .collect(Collectors.joining(" "));
    }

    private static String quote(String arg) {
        if (!arg.isEmpty() && arg.chars().noneMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '"')) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
