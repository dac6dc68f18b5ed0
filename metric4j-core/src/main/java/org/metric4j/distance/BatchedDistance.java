package org.metric4j.distance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import java.util.Objects;
import org.metric4j.math.Inputs;

/**
 * A distance computed in blocks of query rows (PML's {@code BatchedDistance}): for each block
 * [s, e) of at most {@code batchSize} rows the B_s x M matrix of {@code query[s:e]} against the
 * whole reference, handed to a {@link BlockConsumer} ({@link #forEachBlock}) so that a large query
 * set never needs its whole matrix at once; {@link #matrix} stacks the blocks into the matrix of
 * the wrapped distance. Direction and normalization are the wrapped distance's.
 *
 * <p>Default block size {@value #DEFAULT_BATCH_SIZE} (PML's).
 */
public final class BatchedDistance implements Distance {

    /** Default rows per block. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private final Distance distance;
    private final int batchSize;

    private BatchedDistance(Distance distance, int batchSize) {
        this.distance = distance;
        this.batchSize = batchSize;
    }

    /**
     * @param distance the distance of each block
     * @param batchSize query rows per block, {@code >= 1}
     * @return the batched distance
     */
    public static BatchedDistance of(Distance distance, int batchSize) {
        Objects.requireNonNull(distance, "distance");
        Inputs.atLeast("batchSize", batchSize, 1);
        return new BatchedDistance(distance, batchSize);
    }

    /** With {@value #DEFAULT_BATCH_SIZE} rows per block. */
    public static BatchedDistance of(Distance distance) {
        return of(distance, DEFAULT_BATCH_SIZE);
    }

    /** What receives each block of the matrix. */
    @FunctionalInterface
    public interface BlockConsumer {
        /**
         * @param block (end - start) x M rows of the matrix
         * @param start first query row of the block
         * @param end one past its last query row
         */
        void accept(NDArray block, long start, long end);
    }

    /**
     * Computes the matrix block by block, in query order, and hands each block over (PML's
     * {@code iter_fn(mat, s, e)}).
     *
     * @param query N x D
     * @param reference M x D
     * @param consumer receives each block
     */
    public void forEachBlock(NDArray query, NDArray reference, BlockConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        long n = query.getShape().get(0);
        for (long s = 0; s < n; s += batchSize) {
            long e = Math.min(n, s + batchSize);
            consumer.accept(distance.matrix(query.get(new NDIndex(s + ":" + e)), reference), s, e);
        }
    }

    @Override
    public NDArray matrix(NDArray query, NDArray reference) {
        NDList blocks = new NDList();
        forEachBlock(query, reference, (block, s, e) -> blocks.add(block));
        if (blocks.isEmpty()) {
            return distance.matrix(query, reference);
        }
        return blocks.size() == 1 ? blocks.head() : NDArrays.concat(blocks, 0);
    }

    /** The wrapped distance. */
    public Distance distance() {
        return distance;
    }

    /** Query rows per block. */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public boolean isInverted() {
        return distance.isInverted();
    }

    @Override
    public boolean normalizesEmbeddings() {
        return distance.normalizesEmbeddings();
    }

    @Override
    public NDArray normalize(NDArray x) {
        return distance.normalize(x);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchedDistance d && d.distance.equals(distance) && d.batchSize == batchSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(distance, batchSize);
    }

    @Override
    public String toString() {
        return "BatchedDistance(distance=" + distance + ", batchSize=" + batchSize + ")";
    }
}
