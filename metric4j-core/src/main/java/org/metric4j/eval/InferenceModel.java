package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.metric4j.math.Inputs;

/**
 * A trained embedder with a reference index, for the questions asked after training (PML's
 * {@code InferenceModel}): the k nearest references of new inputs ({@link #topK}), the references
 * that match them under a threshold ({@link #matches}), and whether two inputs match ({@link
 * #isMatch}).
 *
 * <p>Inputs go through the embedder (a {@link Block} in inference mode, any function, or none
 * for precomputed embeddings) {@value #DEFAULT_BATCH_SIZE} rows at a time, and are
 * L2-normalized unless {@link Builder#optRawEmbeddings()} is set. {@link #index(NDArray)} replaces
 * the references and {@link #add(NDArray)} appends to them (PML's {@code train_knn} and {@code
 * add_to_knn}); the model keeps its own copy of their embeddings until {@link #close()}. The
 * neighbour search is an exact {@link KnnSearch}, by default {@link KnnSearch.Metric#L2} (PML's
 * default {@code FaissKNN} is an exact L2 index; faiss reports squared distances, this the
 * distances). Matching is a {@link MatchFinder}, by default cosine similarity at or above
 * {@value MatchFinder#DEFAULT_THRESHOLD}, as in PML. With {@link Builder#optReferenceIndex} the
 * references live in an external {@link ReferenceIndex} instead (e.g. the app's Lucene gallery):
 * {@link #topK} and {@link #matches} go to it, and {@link #index} / {@link #add} are refused.
 */
public final class InferenceModel implements AutoCloseable {

    /** Default rows per embedder call (PML's batch_size). */
    public static final int DEFAULT_BATCH_SIZE = 64;

    private final UnaryOperator<NDArray> embedder;
    private final boolean normalize;
    private final KnnSearch knn;
    private final MatchFinder matchFinder;
    private final int batchSize;
    private final ReferenceIndex external;
    private NDManager manager;
    private NDArray references;

    private InferenceModel(Builder b) {
        this.embedder = b.embedder;
        this.normalize = b.normalize;
        this.knn = b.knn;
        this.matchFinder = b.matchFinder;
        this.batchSize = b.batchSize;
        this.external = b.external;
    }

    /** A builder: no embedder (precomputed embeddings), normalized, exact L2 search, cosine 0.9 matches. */
    public static Builder builder() {
        return new Builder();
    }

    /** The match finder. */
    public MatchFinder matchFinder() {
        return matchFinder;
    }

    /** The number of references indexed. */
    public synchronized long size() {
        if (external != null) {
            return external.size();
        }
        return references == null ? 0 : references.getShape().get(0);
    }

    /**
     * The embeddings of {@code inputs}: the embedder over blocks of rows, then L2-normalized
     * unless raw embeddings were asked for. Attached to the manager of the embedder's output.
     */
    public NDArray embed(NDArray inputs) {
        if (inputs == null || inputs.getShape().dimension() < 1 || inputs.getShape().get(0) == 0) {
            throw new IllegalArgumentException("inputs must have at least one row, got "
                    + (inputs == null ? "null" : inputs.getShape()));
        }
        long n = inputs.getShape().get(0);
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDList parts = new NDList();
            for (long s = 0; s < n; s += batchSize) {
                NDArray rows = inputs.get(s + ":" + Math.min(n, s + batchSize));
                parts.add(embedder.apply(rows).stopGradient());
            }
            NDArray e = parts.size() == 1 ? parts.head().duplicate() : NDArrays.concat(parts, 0);
            Inputs.embeddings("embeddings", e);
            out = normalize ? e.normalize(2, 1, 1e-12) : e;
            NDScope.unregister(out);
        }
        return out;
    }

    /** Replaces the references by the embeddings of {@code inputs} (PML's {@code train_knn}). */
    public synchronized void index(NDArray inputs) {
        requireOwnReferences();
        NDArray e = embed(inputs);
        if (manager == null) {
            manager = NDManager.newBaseManager(e.getDevice(), e.getManager().getEngine().getEngineName());
        }
        if (references != null) {
            references.close();
        }
        e.attach(manager);
        references = e;
    }

    /** Appends the embeddings of {@code inputs} to the references (PML's {@code add_to_knn}). */
    public synchronized void add(NDArray inputs) {
        requireOwnReferences();
        if (references == null) {
            index(inputs);
            return;
        }
        NDArray e = embed(inputs);
        Inputs.sameWidth("references", references, "inputs' embeddings", e);
        NDArray all = references.concat(e.toType(references.getDataType(), false), 0);
        all.attach(manager);
        references.close();
        e.close();
        references = all;
    }

    /**
     * The k nearest references of every query, best first (PML's {@code get_nearest_neighbors}).
     *
     * @param queries Q inputs
     * @param k neighbours, in [1, {@link #size()}]
     * @return indices into the references, and distances (L2) or similarities (COSINE, DOT)
     */
    public synchronized KnnSearch.Result topK(NDArray queries, int k) {
        if (external != null) {
            try (NDScope scope = new NDScope()) {
                return external.topK(embed(queries), k);
            }
        }
        NDArray refs = requireReferences();
        try (NDScope scope = new NDScope()) {
            return knn.search(embed(queries), refs, k, Neighbours.INCLUDE_SELF);
        }
    }

    /** {@link #matches(NDArray, double)} with the match finder's threshold. */
    public long[][] matches(NDArray queries) {
        return matches(queries, matchFinder.threshold());
    }

    /**
     * The references that match each query (PML's {@code get_matches(query, ref)} with tuples).
     *
     * @param queries Q inputs
     * @param threshold the similarity at or above which (distance at or below which) they match
     * @return rows {@code {query, reference}}, by query then reference
     */
    public synchronized long[][] matches(NDArray queries, double threshold) {
        if (external != null) {
            try (NDScope scope = new NDScope()) {
                return external.matches(embed(queries), threshold);
            }
        }
        NDArray refs = requireReferences();
        try (NDScope scope = new NDScope()) {
            return matchFinder.matchingPairs(embed(queries), refs, threshold);
        }
    }

    /** {@link #isMatch(NDArray, NDArray, double)} with the match finder's threshold. */
    public boolean[] isMatch(NDArray a, NDArray b) {
        return isMatch(a, b, matchFinder.threshold());
    }

    /** Whether input i of {@code a} matches input i of {@code b} (PML's {@code is_match}). */
    public boolean[] isMatch(NDArray a, NDArray b, double threshold) {
        try (NDScope scope = new NDScope()) {
            return matchFinder.isMatch(embed(a), embed(b), threshold);
        }
    }

    private void requireOwnReferences() {
        if (external != null) {
            throw new IllegalStateException("the references live in " + external
                    + ": add them there, not through the InferenceModel");
        }
    }

    private NDArray requireReferences() {
        if (references == null) {
            throw new IllegalStateException("no references: call index(inputs) first");
        }
        return references;
    }

    /** Frees the references' embeddings. */
    @Override
    public synchronized void close() {
        if (manager != null) {
            manager.close();
            manager = null;
            references = null;
        }
    }

    @Override
    public String toString() {
        return "InferenceModel(normalize=" + normalize + ", knn=" + knn + ", matchFinder=" + matchFinder
                + ", references=" + size() + ")";
    }

    /** Builder of {@link InferenceModel}. */
    public static final class Builder {
        private UnaryOperator<NDArray> embedder = UnaryOperator.identity();
        private boolean normalize = true;
        private KnnSearch knn = KnnSearch.builder().optMetric(KnnSearch.Metric.L2).build();
        private MatchFinder matchFinder = MatchFinder.builder().build();
        private int batchSize = DEFAULT_BATCH_SIZE;
        private ReferenceIndex external;

        private Builder() {}

        /** The embedder, any function from a block of inputs to their B x D embeddings (default: none). */
        public Builder optEmbedder(UnaryOperator<NDArray> embedder) {
            this.embedder = Objects.requireNonNull(embedder, "embedder");
            return this;
        }

        /** The embedder, an initialized or loaded Block run in inference mode (first output). */
        public Builder optEmbedder(Block block) {
            Objects.requireNonNull(block, "block");
            this.embedder = x -> block.forward(new ParameterStore(x.getManager(), false), new NDList(x), false).head();
            return this;
        }

        /** Keep the embedder's output as it is (default: L2-normalized, as PML). */
        public Builder optRawEmbeddings() {
            this.normalize = false;
            return this;
        }

        /** The neighbour search (default exact {@link KnnSearch.Metric#L2}). */
        public Builder optKnn(KnnSearch knn) {
            this.knn = Objects.requireNonNull(knn, "knn");
            return this;
        }

        /** The match finder (default cosine similarity, threshold {@value MatchFinder#DEFAULT_THRESHOLD}). */
        public Builder optMatchFinder(MatchFinder matchFinder) {
            this.matchFinder = Objects.requireNonNull(matchFinder, "matchFinder");
            return this;
        }

        /** Rows per embedder call, {@code >= 1} (default {@value #DEFAULT_BATCH_SIZE}). */
        public Builder optBatchSize(int batchSize) {
            Inputs.atLeast("batchSize", batchSize, 1);
            this.batchSize = batchSize;
            return this;
        }

        /**
         * References in an external index (default: none, the model keeps its own and searches
         * them with its {@link KnnSearch} and {@link MatchFinder}); {@link InferenceModel#matches} then takes
         * the index's similarity threshold.
         */
        public Builder optReferenceIndex(ReferenceIndex index) {
            this.external = Objects.requireNonNull(index, "index");
            return this;
        }

        /** The model. */
        public InferenceModel build() {
            return new InferenceModel(this);
        }
    }
}
