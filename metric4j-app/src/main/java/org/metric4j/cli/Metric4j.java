package org.metric4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The root command: {@code ./metric4j <subcommand>}. A failure prints one line (see {@link
 * ErrorReport}: the message chain, exit code 2 for bad input and 1 for an internal failure) and,
 * with {@code -v}, its stack trace.
 */
@Command(
        name = "metric4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Deep metric learning and face-recognition losses on the JVM.",
        subcommands = {DemoCommand.class, TrainCommand.class, EmbedCommand.class, ExportCommand.class, EvaluateCommand.class,
            CompareCommand.class, BenchCommand.class, IndexCommand.class, AlignCommand.class, PackCommand.class,
            CommandLine.HelpCommand.class})
public final class Metric4j implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** -v / --verbose, inherited by every subcommand. */
    @CommandLine.Mixin VerbosityOption verbosity;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command line ready to execute (used by {@link #main} and by tests). */
    public static CommandLine commandLine() {
        Runtime.setDefaults();
        CommandLine cli = new CommandLine(new Metric4j()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, line, parsed) ->
                ErrorReport.report(line.getErr(), line.getCommandSpec().qualifiedName(), e, verbose(parsed)));
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine line = e.getCommandLine();
            String name = line.getCommandSpec().qualifiedName();
            String suggestions = "";
            if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                suggestions = " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
            boolean verbose = java.util.Arrays.asList(args).contains("-v")
                    || java.util.Arrays.asList(args).contains("--verbose");
            line.getErr().println(name + ": error: " + ErrorReport.chain(e) + suggestions
                    + ((e instanceof CommandLine.UnmatchedArgumentException
                            || e instanceof CommandLine.MissingParameterException) && hasHelp(line)
                            ? " (see " + name + " --help)" : ""));
            if (verbose) {
                e.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return line.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    /** Whether -v / --verbose was given to the command or to one of its parents. */
    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasHelp(CommandLine line) {
        return line.getCommandSpec().findOption("--help") != null;
    }

    /**
     * Entry point.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(execute(commandLine(), args));
    }

    /**
     * Runs a command line after expanding its run files ({@code --config FILE}, see {@link
     * RunFile}).
     *
     * @param cli the command line of {@link #commandLine()}
     * @param args the arguments
     * @return the exit code
     */
    public static int execute(CommandLine cli, String... args) {
        String[] expanded;
        try {
            expanded = RunFile.expand(cli, args);
        } catch (IllegalArgumentException e) {
            return ErrorReport.report(cli.getErr(), "metric4j", e,
                    java.util.Arrays.asList(args).contains("-v") || java.util.Arrays.asList(args).contains("--verbose"));
        }
        return cli.execute(expanded);
    }
}
