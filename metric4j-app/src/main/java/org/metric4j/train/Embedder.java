package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.eval.EmbeddingSet;

/**
 * Embeds a dataset with a backbone in inference mode, in batches with bounded memory. Inside
 * {@link #cached}, the same images (the same {@link LabeledImages} object and limit) embedded by
 * the same backbone are computed once: the evaluations after an epoch share their embeddings.
 */
public final class Embedder {

    /** Default batch size of inference. */
    public static final int DEFAULT_BATCH = 256;

    private record Key(Block backbone, LabeledImages data, int items) {}

    private static final ThreadLocal<java.util.Map<Key, EmbeddingSet>> CACHE = new ThreadLocal<>();

    private Embedder() {}

    /**
     * Runs {@code session} with a cache of embeddings, valid while the backbone's parameters do
     * not change (do not train inside it).
     *
     * @param session evaluations of one state of the backbone
     * @param <T> what it returns
     * @return its result
     */
    public static <T> T cached(java.util.function.Supplier<T> session) {
        return new Cache().use(session);
    }

    /**
     * Embeddings of one state of a backbone, kept for later sessions of that same state (e.g.
     * the final evaluation's embeddings, read again for a report after training).
     */
    public static final class Cache {

        private final java.util.Map<Key, EmbeddingSet> map = new java.util.HashMap<>();

        /**
         * Runs {@code session} with this cache (or, inside another session, with that one).
         *
         * @param session evaluations of the state this cache holds; do not train inside it
         * @param <T> what it returns
         * @return its result
         */
        public <T> T use(java.util.function.Supplier<T> session) {
            if (CACHE.get() != null) {
                return session.get();
            }
            CACHE.set(map);
            try {
                return session.get();
            } finally {
                CACHE.remove();
            }
        }
    }

    /**
     * The embeddings of the first {@code limit} items (all when {@code limit <= 0}), row-major float.
     *
     * @param backbone the network (inference mode: BN uses running statistics, no dropout)
     * @param data the images
     * @param limit how many items ({@code <= 0}: all)
     * @param manager where the parameters live
     * @return N x D values and D
     */
    public static EmbeddingSet embed(Block backbone, LabeledImages data, int limit, NDManager manager) {
        java.util.Map<Key, EmbeddingSet> cache = CACHE.get();
        if (cache == null) {
            return compute(backbone, data, limit, manager);
        }
        int n = limit <= 0 ? data.size() : Math.min(limit, data.size());
        return cache.computeIfAbsent(new Key(backbone, data, n), k -> compute(backbone, data, limit, manager));
    }

    private static EmbeddingSet compute(Block backbone, LabeledImages data, int limit, NDManager manager) {
        int n = limit <= 0 ? data.size() : Math.min(limit, data.size());
        ParameterStore ps = new ParameterStore(manager, false);
        float[] out = null;
        int dim = -1;
        for (int start = 0; start < n; start += DEFAULT_BATCH) {
            int end = Math.min(n, start + DEFAULT_BATCH);
            int[] idx = new int[end - start];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            try (NDScope scope = new NDScope()) {
                NDArray x = data.batch(manager, idx);
                NDArray e = backbone.forward(ps, new NDList(x), false).head();
                if (dim < 0) {
                    dim = (int) e.getShape().get(1);
                    out = new float[n * dim];
                }
                float[] f = e.toType(DataType.FLOAT32, false).toFloatArray();
                System.arraycopy(f, 0, out, start * dim, f.length);
            }
        }
        double[] values = new double[n * Math.max(dim, 0)];
        for (int i = 0; i < values.length; i++) {
            values[i] = out[i];
        }
        long[] labels = new long[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
            names[i] = data.name(i);
        }
        return new EmbeddingSet(values, n, dim, labels, names);
    }
}
