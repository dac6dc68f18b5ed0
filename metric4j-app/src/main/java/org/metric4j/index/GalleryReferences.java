package org.metric4j.index;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.metric4j.eval.InferenceModel;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.ReferenceIndex;

/**
 * A Lucene {@link GalleryIndex} as the references of an {@link InferenceModel}
 * ({@code InferenceModel.builder().optReferenceIndex(GalleryReferences.exact(index))}): the model
 * embeds the queries, the gallery answers. Scores are cosines and the match threshold is a
 * cosine. {@link #exact} scans every stored vector ({@link GalleryIndex#searchExact}); {@link
 * #hnsw} walks the HNSW graph ({@link GalleryIndex#search}, {@link GalleryIndex#searchAbove}),
 * approximate and possibly fewer than k hits. Reference indices are the rows of the embedding set
 * the gallery was built from. The gallery stays owned by the caller.
 */
public final class GalleryReferences implements ReferenceIndex {

    private final GalleryIndex index;
    private final boolean exact;

    private GalleryReferences(GalleryIndex index, boolean exact) {
        this.index = Objects.requireNonNull(index, "index");
        this.exact = exact;
    }

    /** Exact search: a scan of every vector. */
    public static GalleryReferences exact(GalleryIndex index) {
        return new GalleryReferences(index, true);
    }

    /** Approximate search on the HNSW graph (the index's efSearch). */
    public static GalleryReferences hnsw(GalleryIndex index) {
        return new GalleryReferences(index, false);
    }

    @Override
    public long size() {
        return index.size();
    }

    @Override
    public KnnSearch.Result topK(NDArray queries, int k) {
        if (k < 1 || k > index.size()) {
            throw new IllegalArgumentException("k must be in [1, " + index.size() + "] (the gallery), got " + k);
        }
        float[][] rows = rows(queries);
        long[][] indices = new long[rows.length][];
        double[][] scores = new double[rows.length][];
        try {
            for (int q = 0; q < rows.length; q++) {
                List<Hit> hits = exact ? index.searchExact(rows[q], k) : index.search(rows[q], k);
                indices[q] = hits.stream().mapToLong(Hit::row).toArray();
                scores[q] = hits.stream().mapToDouble(Hit::cosine).toArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("searching the gallery at " + index.path(), e);
        }
        return new KnnSearch.Result(indices, scores);
    }

    @Override
    public long[][] matches(NDArray queries, double threshold) {
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be a cosine in [-1, 1], got " + threshold);
        }
        float[][] rows = rows(queries);
        List<long[]> out = new ArrayList<>();
        try {
            for (int q = 0; q < rows.length; q++) {
                List<Hit> hits = exact ? index.searchExact(rows[q], index.size())
                        : index.searchAbove(rows[q], threshold, index.size());
                List<Hit> kept = new ArrayList<>();
                for (Hit h : hits) {
                    if (h.cosine() >= threshold) {
                        kept.add(h);
                    }
                }
                kept.sort(Comparator.comparingInt(Hit::row));
                for (Hit h : kept) {
                    out.add(new long[] {q, h.row()});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("searching the gallery at " + index.path(), e);
        }
        return out.toArray(new long[0][]);
    }

    private float[][] rows(NDArray queries) {
        if (queries.getShape().dimension() != 2 || queries.getShape().get(1) != index.dimension()) {
            throw new IllegalArgumentException("queries must be Q x " + index.dimension()
                    + " (the gallery's dimension), got " + queries.getShape());
        }
        int q = (int) queries.getShape().get(0);
        int d = index.dimension();
        float[] flat = queries.toType(DataType.FLOAT32, false).toFloatArray();
        float[][] out = new float[q][];
        for (int i = 0; i < q; i++) {
            out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return out;
    }

    @Override
    public String toString() {
        return "GalleryReferences(" + (exact ? "exact" : "hnsw") + ", " + index.path() + ", " + index.size() + " items)";
    }
}
