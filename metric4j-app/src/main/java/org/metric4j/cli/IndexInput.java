package org.metric4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The embedding set of an {@code index} subcommand ({@code --embeddings}, {@code --labels},
 * {@code --names}), as a picocli argument group: the gallery of {@code build}, the probes of
 * {@code search} and {@code evaluate}.
 */
final class IndexInput {
    @Option(names = "--embeddings", required = true, description = "Embeddings: .npy (N x D) or .csv.")
    Path embeddings;

    @Option(names = "--labels", description = "Labels of a .npy: 1-D int .npy.")
    Path labels;

    @Option(names = "--names", description = "Names of a .npy: a text file, one per line.")
    Path names;

    /** Reads the set; a malformed file is a usage error of {@code spec}'s command. */
    EmbeddingSet load(CommandSpec spec) throws IOException {
        try {
            return EmbeddingFiles.load("--embeddings", embeddings, labels, names);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
