package org.metric4j.cli;

import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.index.GalleryIndex;
import org.metric4j.index.Hit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j index search}: the gallery searched with probe embeddings, one JSON line per probe:
 * the top k by HNSW (or by an exact scan), or every item whose cosine is at least {@code --threshold}.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search the gallery with probe embeddings: one JSON line per probe.",
        footer = {"", "Example: index search --index gallery --embeddings probes.npy --k 5",
            "Open set: --threshold 0.4 returns only items with cosine >= 0.4 (none: the probe is rejected)."})
final class IndexSearchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @ArgGroup(exclusive = false, multiplicity = "1") IndexInput input;

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
        EmbeddingSet probes = input.load(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (GalleryIndex g = IndexCommand.open(spec, index)) {
            IndexCommand.checkDimension(spec, g, probes);
            float[] values = probes.floats();
            int d = probes.dim();
            for (int i = 0; i < probes.size(); i++) {
                float[] q = Arrays.copyOfRange(values, i * d, (i + 1) * d);
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
