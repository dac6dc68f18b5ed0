package org.metric4j.cli;

import picocli.CommandLine.Option;

/**
 * The training budget shared by {@code train} and {@code compare}: optimizer, learning-rate
 * schedule, epochs, batching, progress bars. The two commands keep their own defaults (train: SGD
 * at 0.01 for 5 epochs, sized for faces; compare: Adam at 0.003 for 1 epoch, sized for a quick
 * side-by-side), given to the constructor; the help shows each command's.
 */
final class TrainingOptions {

    @Option(names = "--optimizer", description = "sgd, adam or adamw (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning-rate schedule spec (default: ${DEFAULT-VALUE}).")
    String lr;

    @Option(names = "--epochs", description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128",
            description = "Batch size of plain shuffling (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--pk", description = "P x K sampling, e.g. 32x4 (default: 32x4 when a loss is pair-based, "
            + "else plain shuffling).")
    String pk;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    /**
     * The options with a command's defaults.
     *
     * @param optimizer the default optimizer (sgd or adam)
     * @param lr the default learning-rate spec
     * @param epochs the default number of epochs
     */
    TrainingOptions(String optimizer, String lr, int epochs) {
        this.optimizer = optimizer;
        this.lr = lr;
        this.epochs = epochs;
    }

    /** train's defaults. */
    static TrainingOptions forTrain() {
        return new TrainingOptions("sgd", "constant:lr=0.01", 5);
    }

    /** compare's defaults. */
    static TrainingOptions forCompare() {
        return new TrainingOptions("adam", "constant:lr=0.003", 1);
    }
}
