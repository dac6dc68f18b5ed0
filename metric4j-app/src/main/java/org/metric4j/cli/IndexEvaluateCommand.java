package org.metric4j.cli;

import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
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
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j index evaluate}: 1:N identification of labelled probes through the index (HNSW)
 * and by exact search, side by side: CMC, open-set DIR at FPIR, and HNSW recall@k.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "1:N identification of probes through the index (HNSW) and by exact search: CMC, "
                + "open-set DIR at FPIR (probes whose identity is not in the gallery are the non-mated ones), "
                + "and HNSW recall@k.",
        footer = {"", "Example: index evaluate --index gallery --embeddings probes.npy --labels probe-labels.npy"})
final class IndexEvaluateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @ArgGroup(exclusive = false, multiplicity = "1") IndexInput input;

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
        EmbeddingSet probes = input.load(spec);
        if (probes.labels() == null) {
            throw new ParameterException(spec.commandLine(), "--embeddings: identification needs probe labels "
                    + "(--labels FILE.npy or a CSV with labels)");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (GalleryIndex g = IndexCommand.open(spec, index)) {
            IndexCommand.checkDimension(spec, g, probes);
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
                float[] q = Arrays.copyOfRange(values, i * d, (i + 1) * d);
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
