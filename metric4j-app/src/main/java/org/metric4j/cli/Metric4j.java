package org.metric4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root command: {@code ./metric4j <subcommand>}. */
@Command(
        name = "metric4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Deep metric learning and face-recognition losses on the JVM.",
        subcommands = {DemoCommand.class, TrainCommand.class, EmbedCommand.class, EvaluateCommand.class,
            CompareCommand.class, BenchCommand.class, IndexCommand.class,
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
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof IllegalStateException) {
                line.getErr().println("metric4j " + line.getCommandName() + ": error: " + e.getMessage());
                line.getErr().flush();
                return 1;
            }
            throw e;
        });
        CommandLine.IParameterExceptionHandler standard = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, args) -> {
            if (e instanceof DeviceOption.Unavailable) {
                CommandLine line = e.getCommandLine();
                line.getErr().println("metric4j " + line.getCommandName() + ": error: " + e.getMessage());
                line.getErr().flush();
                return line.getCommandSpec().exitCodeOnInvalidInput();
            }
            return standard.handleParseException(e, args);
        });
        return cli;
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
            cli.getErr().println("metric4j: error: " + e.getMessage());
            cli.getErr().flush();
            return 2;
        }
        return cli.execute(expanded);
    }
}
