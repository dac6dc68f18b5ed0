package org.metric4j.cli;

import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.Identification;
import org.metric4j.eval.KnnSearch;
import org.metric4j.index.GalleryIndex;
import org.metric4j.index.Hit;
import org.metric4j.index.HnswParameters;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.FileTrees;
import org.metric4j.train.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j index}: a gallery of embeddings in a Lucene HNSW index ({@link GalleryIndex}):
 * {@code build} it from an embedding set, {@code search} it with probes (top-k, or every item above
 * a cosine), {@code evaluate} 1:N identification through it (CMC, open-set DIR) against exact
 * search, with HNSW recall.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "A gallery in a Lucene HNSW index: build, search, evaluate identification through it.",
        subcommands = {IndexCommand.Build.class, IndexCommand.Search.class, IndexCommand.Evaluate.class})
final class IndexCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "index needs a subcommand: build, search or evaluate");
    }

    /** An embedding set on the command line. */
    static final class Input {
        @Option(names = "--embeddings", required = true, description = "Embeddings: .npy (N x D) or .csv.")
        Path embeddings;

        @Option(names = "--labels", description = "Labels of a .npy: 1-D int .npy.")
        Path labels;

        @Option(names = "--names", description = "Names of a .npy: a text file, one per line.")
        Path names;

        EmbeddingSet load() throws java.io.IOException {
            return EmbeddingFiles.load("--embeddings", embeddings, labels, names);
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build a gallery index from embeddings (normalized to unit length; cosine scores).",
            footer = {"", "Example: index build --embeddings run/embeddings.npy --labels run/labels.npy "
                    + "--names run/names.txt --index gallery"})
    static final class Build implements Callable<Integer> {
        @Spec CommandSpec spec;

        @ArgGroup(exclusive = false, multiplicity = "1") Input input;

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
            EmbeddingSet gallery = load(spec, input);
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

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Search the gallery with probe embeddings: one JSON line per probe.",
            footer = {"", "Example: index search --index gallery --embeddings probes.npy --k 5",
                "Open set: --threshold 0.4 returns only items with cosine >= 0.4 (none: the probe is rejected)."})
    static final class Search implements Callable<Integer> {
        @Spec CommandSpec spec;

        @ArgGroup(exclusive = false, multiplicity = "1") Input input;

        @Option(names = "--index", required = true, description = "The index directory.")
        Path index;

        @Option(names = "--k", defaultValue = "5", description = "Hits per probe (default: ${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--ef", defaultValue = "100", description = "HNSW efSearch (default: ${DEFAULT-VALUE}).")
        int ef;

        @Option(names = "--threshold", description = "Only items whose cosine is at least this (open-set search).")
        Double threshold;

        @Option(names = "--exact", description = "Exact search (a scan of every vector) instead of HNSW.")
        boolean exact;

        @Override
        public Integer call() throws Exception {
            EmbeddingSet probes = load(spec, input);
            PrintWriter out = spec.commandLine().getOut();
            try (GalleryIndex g = open(spec, index)) {
                checkDimension(spec, g, probes);
                float[] values = probes.floats();
                int d = probes.dim();
                for (int i = 0; i < probes.size(); i++) {
                    float[] q = java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d);
                    List<Hit> hits = threshold != null ? g.searchAbove(q, threshold, k)
                            : exact ? g.searchExact(q, k) : g.search(q, k, ef);
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("probe", probes.names() != null ? probes.names()[i] : String.valueOf(i));
                    if (probes.labels() != null) {
                        line.put("label", probes.labels()[i]);
                    }
                    List<Map<String, Object>> list = new ArrayList<>();
                    for (Hit h : hits) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", h.id());
                        m.put("label", h.label());
                        m.put("cosine", h.cosine());
                        list.add(m);
                    }
                    line.put("hits", list);
                    if (threshold != null) {
                        line.put("rejected", hits.isEmpty());
                    }
                    out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(line));
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = "1:N identification of probes through the index (HNSW) and by exact search: CMC, "
                    + "open-set DIR at FPIR (probes whose identity is not in the gallery are the non-mated ones), "
                    + "and HNSW recall@k.",
            footer = {"", "Example: index evaluate --index gallery --embeddings probes.npy --labels probe-labels.npy"})
    static final class Evaluate implements Callable<Integer> {
        @Spec CommandSpec spec;

        @ArgGroup(exclusive = false, multiplicity = "1") Input input;

        @Option(names = "--index", required = true, description = "The index directory.")
        Path index;

        @Option(names = "--max-rank", defaultValue = "10", description = "Largest CMC rank (default: ${DEFAULT-VALUE}).")
        int maxRank;

        @Option(names = "--fpir", split = ",", defaultValue = "0.01,0.1",
                description = "FPIRs of the open-set DIR (default: ${DEFAULT-VALUE}).")
        double[] fpirs;

        @Option(names = "--ef", defaultValue = "100", description = "HNSW efSearch (default: ${DEFAULT-VALUE}).")
        int ef;

        @Override
        public Integer call() throws Exception {
            EmbeddingSet probes = load(spec, input);
            if (probes.labels() == null) {
                throw new ParameterException(spec.commandLine(), "--embeddings: identification needs probe labels "
                        + "(--labels FILE.npy or a CSV with labels)");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (GalleryIndex g = open(spec, index)) {
                checkDimension(spec, g, probes);
                EmbeddingSet gallery = g.items();
                long[] galleryLabels = gallery.labels();
                int depth;
                try {
                    depth = Identification.searchDepth(galleryLabels, maxRank, fpirs);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
                int d = probes.dim();
                float[] values = probes.floats();
                long[][] hnswIdx = new long[probes.size()][];
                double[][] hnswScores = new double[probes.size()][];
                long[][] exactIdx = new long[probes.size()][];
                double[][] exactScores = new double[probes.size()][];
                int recallK = Math.min(10, g.size());
                long found = 0;
                long t0 = System.nanoTime();
                double hnswSeconds = 0;
                for (int i = 0; i < probes.size(); i++) {
                    float[] q = java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d);
                    long s0 = System.nanoTime();
                    List<Hit> approx = g.search(q, depth, Math.max(ef, depth));
                    hnswSeconds += (System.nanoTime() - s0) / 1e9;
                    List<Hit> exact = g.searchExact(q, depth);
                    hnswIdx[i] = approx.stream().mapToLong(Hit::row).toArray();
                    hnswScores[i] = approx.stream().mapToDouble(Hit::cosine).toArray();
                    exactIdx[i] = exact.stream().mapToLong(Hit::row).toArray();
                    exactScores[i] = exact.stream().mapToDouble(Hit::cosine).toArray();
                    Set<Long> truth = new HashSet<>();
                    for (int r = 0; r < recallK && r < exactIdx[i].length; r++) {
                        truth.add(exactIdx[i][r]);
                    }
                    List<Hit> top = g.search(q, recallK, ef);
                    for (Hit h : top) {
                        found += truth.contains((long) h.row()) ? 1 : 0;
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                Identification.Report hnsw = Identification.fromNeighbours(new KnnSearch.Result(hnswIdx, hnswScores),
                        KnnSearch.Metric.COSINE, probes.labels(), galleryLabels, maxRank, fpirs);
                Identification.Report exact = Identification.fromNeighbours(
                        new KnnSearch.Result(exactIdx, exactScores), KnnSearch.Metric.COSINE, probes.labels(), galleryLabels, maxRank,
                        fpirs);
                double recall = found / (double) (recallK * probes.size());
                out.printf(Locale.ROOT, "%d probes (%d mated, %d non-mated) against %d gallery items; HNSW M %d, "
                                + "efSearch %d: recall@%d %.4f, %.2f ms per probe%n", probes.size(), hnsw.matedProbes(),
                        hnsw.nonMatedProbes(), g.size(), g.parameters().maxConn(), ef, recallK, recall,
                        1000 * hnswSeconds / probes.size());
                out.printf(Locale.ROOT, "rank-1: HNSW %.4f, exact %.4f%n", hnsw.cmc()[0], exact.cmc()[0]);
                for (double f : fpirs) {
                    if (hnsw.dirAtFpir().containsKey(f)) {
                        out.printf(Locale.ROOT, "DIR at FPIR %g: HNSW %.4f, exact %.4f (threshold %.4f)%n", f,
                                hnsw.dirAtFpir().get(f), exact.dirAtFpir().get(f), exact.thresholds().get(f));
                    }
                }
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("probes", probes.size());
                json.put("gallery", g.size());
                json.put("recall_at_" + recallK, recall);
                json.put("hnsw_cmc", hnsw.cmc());
                json.put("exact_cmc", exact.cmc());
                json.put("hnsw_dir_at_fpir", hnsw.dirAtFpir());
                json.put("exact_dir_at_fpir", exact.dirAtFpir());
                json.put("thresholds", exact.thresholds());
                json.put("seconds", seconds);
                out.println(new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(json));
                out.flush();
            }
            return 0;
        }
    }

    static EmbeddingSet load(CommandSpec spec, Input input) throws java.io.IOException {
        try {
            return input.load();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static GalleryIndex open(CommandSpec spec, Path index) {
        try {
            return GalleryIndex.open(index);
        } catch (java.io.IOException e) {
            throw new ParameterException(spec.commandLine(), "--index: " + e.getMessage());
        }
    }

    static void checkDimension(CommandSpec spec, GalleryIndex g, EmbeddingSet probes) {
        if (probes.dim() != g.dimension()) {
            throw new ParameterException(spec.commandLine(), "--embeddings are " + probes.dim()
                    + "-d but the index at " + g.path() + " holds " + g.dimension() + "-d vectors");
        }
    }
}
