package org.metric4j.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code -v} / {@code --verbose}: metric4j's debug logs. Mixed into the root command and
 * inherited by every subcommand ({@code metric4j train -v ...} and {@code metric4j -v train ...}
 * both work). It sets the SLF4J simple logger's level for {@code org.metric4j} while the command
 * line is parsed, before a metric4j class creates its logger (the loggers are static fields of
 * classes that load when the command runs); other libraries keep the default of
 * {@link Runtime#setDefaults()}. {@link Metric4j}'s error handlers also print the stack trace of a
 * failure when it is given.
 */
final class VerbosityOption {

    /** The simple logger's level property for metric4j's loggers. */
    static final String PROPERTY = "org.slf4j.simpleLogger.log.org.metric4j";

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show metric4j's debug logs (SLF4J simple logger level debug for org.metric4j) and the stack"
                    + " trace of an error.")
    void setVerbose(boolean verbose) {
        if (verbose) {
            System.setProperty(PROPERTY, "debug");
        }
    }
}
