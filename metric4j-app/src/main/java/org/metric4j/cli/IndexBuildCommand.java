package org.metric4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.index.GalleryIndex;
import org.metric4j.index.HnswParameters;
import org.metric4j.io.FileTrees;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j index build}: a gallery index ({@link GalleryIndex}) from an embedding set, with the
 * HNSW graph parameters; refuses to replace an existing directory without {@code --force}.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build a gallery index from embeddings (normalized to unit length; cosine scores).",
        footer = {"", "Example: index build --embeddings run/embeddings.npy --labels run/labels.npy "
                + "--names run/names.txt --index gallery"})
final class IndexBuildCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @ArgGroup(exclusive = false, multiplicity = "1") IndexInput input;

    @Option(names = "--index", required = true, description = "The index directory to create.")
    Path index;

    @Option(names = "--m", defaultValue = "16", description = "HNSW M, links per node (default: ${DEFAULT-VALUE}).")
    int maxConn;

    @Option(names = "--beam-width", defaultValue = "100",
            description = "HNSW efConstruction (default: ${DEFAULT-VALUE}).")
    int beamWidth;

    @Option(names = "--quantized", description = "Store 7-bit scalar-quantized vectors for the graph.")
    boolean quantized;

    @Option(names = "--force", description = "Replace an existing --index directory.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(index)) {
            if (!force) {
                throw new ParameterException(spec.commandLine(), "--index " + index
                        + " exists; give --force to replace it");
            }
            FileTrees.delete(index);
        }
        EmbeddingSet gallery = input.load(spec);
        long t0 = System.nanoTime();
        HnswParameters p = new HnswParameters(maxConn, beamWidth, HnswParameters.DEFAULTS.efSearch(), quantized);
        try (GalleryIndex g = GalleryIndex.build(index, gallery, p)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "indexed %d x %d in %.1f s (M %d, beam width %d%s) at %s%n", g.size(),
                    g.dimension(), seconds, maxConn, beamWidth, quantized ? ", quantized" : "", index);
            out.flush();
        }
        return 0;
    }
}
