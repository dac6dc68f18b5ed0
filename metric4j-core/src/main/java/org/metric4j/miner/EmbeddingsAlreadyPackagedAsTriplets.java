package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;

/**
 * The triplets of a batch laid out as consecutive (anchor, positive, negative) rows: rows
 * {@code 3t, 3t + 1, 3t + 2} are triplet t (PML's {@code EmbeddingsAlreadyPackagedAsTriplets};
 * batches from {@link org.metric4j.sampler.FixedSetOfTriplets} have this layout). The labels are
 * checked for shape but not read: the layout is the ground truth.
 *
 * <p>B must be a multiple of 3 (PML would fail on its own assertion otherwise).
 *
 * <p>A separate reference set is refused: PML's {@code mine} ignores {@code ref_emb} and {@code
 * ref_labels} and returns batch rows, which a loss would then read as reference rows. The
 * relation variant is accepted only for the batch against itself ({@code refEmbeddings} the
 * queries themselves, the same array), where the relation, like the labels, is checked for shape
 * but not read.
 */
public final class EmbeddingsAlreadyPackagedAsTriplets implements TripletMiner {

    private static final EmbeddingsAlreadyPackagedAsTriplets INSTANCE = new EmbeddingsAlreadyPackagedAsTriplets();

    private EmbeddingsAlreadyPackagedAsTriplets() {}

    /** The miner (it has no options). */
    public static EmbeddingsAlreadyPackagedAsTriplets create() {
        return INSTANCE;
    }

    /**
     * Triplets {@code (3t, 3t + 1, 3t + 2)} for t in {@code [0, B / 3)}.
     *
     * @throws IllegalArgumentException when B is not a multiple of 3
     */
    @Override
    public TripletIndices mine(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        Inputs.labels("labels", labels, b);
        return packaged(embeddings, b);
    }

    /**
     * Refused: the triplets are rows of the batch, not of a reference set (PML ignores the
     * references).
     *
     * @throws IllegalArgumentException always
     */
    @Override
    public TripletIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        throw new IllegalArgumentException("refEmbeddings must be absent: EmbeddingsAlreadyPackagedAsTriplets"
                + " mines the batch's own (anchor, positive, negative) rows and cannot mine against a reference set,"
                + " got " + (refEmbeddings == null ? "null" : "shape " + refEmbeddings.getShape()));
    }

    /**
     * The packaged triplets of a batch against itself; the relation is checked for shape only.
     *
     * @throws IllegalArgumentException when {@code refEmbeddings} is not the queries themselves,
     *     or B is not a multiple of 3
     */
    @Override
    public TripletIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        long b = Inputs.embeddings("embeddings", embeddings);
        if (refEmbeddings != embeddings) {
            throw new IllegalArgumentException("refEmbeddings must be the embeddings themselves:"
                    + " EmbeddingsAlreadyPackagedAsTriplets mines the batch's own (anchor, positive, negative) rows"
                    + " and cannot mine against a reference set, got a separate array"
                    + (refEmbeddings == null ? " (null)" : " of shape " + refEmbeddings.getShape()));
        }
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + b + " PairRelation, got null");
        }
        relation.check(b, b);
        return packaged(embeddings, b);
    }

    private static TripletIndices packaged(NDArray embeddings, long b) {
        if (b % 3 != 0) {
            throw new IllegalArgumentException("embeddings must hold whole (anchor, positive, negative) triplets,"
                    + " B a multiple of 3, got B = " + b);
        }
        int t = (int) (b / 3);
        long[] a = new long[t];
        long[] p = new long[t];
        long[] n = new long[t];
        for (int i = 0; i < t; i++) {
            a[i] = 3L * i;
            p[i] = 3L * i + 1;
            n[i] = 3L * i + 2;
        }
        return HostIndices.triplets(embeddings, a, p, n);
    }

    @Override
    public String toString() {
        return "EmbeddingsAlreadyPackagedAsTriplets";
    }
}
