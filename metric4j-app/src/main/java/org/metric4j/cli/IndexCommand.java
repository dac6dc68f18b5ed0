package org.metric4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.index.GalleryIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j index}: a gallery of embeddings in a Lucene HNSW index ({@link GalleryIndex}):
 * {@code build} it from an embedding set ({@link IndexBuildCommand}), {@code search} it with probes
 * (top-k, or every item above a cosine; {@link IndexSearchCommand}), {@code evaluate} 1:N
 * identification through it (CMC, open-set DIR) against exact search, with HNSW recall
 * ({@link IndexEvaluateCommand}). The subcommands read their embeddings through {@link IndexInput}.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "A gallery in a Lucene HNSW index: build, search, evaluate identification through it.",
        subcommands = {IndexBuildCommand.class, IndexSearchCommand.class, IndexEvaluateCommand.class})
final class IndexCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "index needs a subcommand: build, search or evaluate");
    }

    /** Opens the index at {@code --index}; an unreadable one is a usage error of {@code spec}'s command. */
    static GalleryIndex open(CommandSpec spec, Path index) {
        try {
            return GalleryIndex.open(index);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--index: " + e.getMessage());
        }
    }

    /** Rejects probes whose dimension differs from the index's. */
    static void checkDimension(CommandSpec spec, GalleryIndex g, EmbeddingSet probes) {
        if (probes.dim() != g.dimension()) {
            throw new ParameterException(spec.commandLine(), "--embeddings are " + probes.dim()
                    + "-d but the index at " + g.path() + " holds " + g.dimension() + "-d vectors");
        }
    }
}
