package org.metric4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.metric4j.data.VerificationBin;
import org.metric4j.eval.InsightFaceVerification;
import org.metric4j.math.Inputs;
import org.metric4j.model.BlockEmbedder;
import org.metric4j.model.EmbeddingNetwork;
import org.metric4j.model.Preprocessing;
import org.metric4j.model.PreprocessedEmbedder;

/**
 * InsightFace's verification on its {@code .bin} sets (LFW, CFP-FP, AgeDB-30), as {@code
 * eval/verification.py test} runs it during training: each image and its left-right mirror through
 * the network ({@link Preprocessing#INSIGHTFACE}: 112 x 112 RGB, (v - 127.5) / 127.5), XNorm the
 * mean L2 norm of those 2 x 2P raw outputs, the embedding the flip-sum (in float64), then {@link
 * InsightFaceVerification} (which L2-normalizes it). As an {@link EpochEvaluator} the metrics are
 * {@code <set>_accuracy}, {@code <set>_accuracy_std}, {@code <set>_xnorm}, {@code
 * <set>_val_at_far_1e-3}, {@code <set>_val_std} and {@code <set>_far}, with the set named by its file
 * ({@code lfw}, {@code cfp_fp}).
 */
public final class BinVerificationEvaluator implements EpochEvaluator {

    /** Images per forward pass by default ({@code verification.test}'s batch size in arcface_torch's callback). */
    public static final int DEFAULT_BATCH = 10;

    private final List<VerificationBin> sets;
    private final InsightFaceVerification protocol;
    private final int batchSize;

    /**
     * The result on one set.
     *
     * @param set the set's name
     * @param images 2P
     * @param report InsightFace's {@code evaluate} numbers
     * @param xnorm the mean L2 norm of the raw embeddings
     */
    public record Result(String set, int images, InsightFaceVerification.Report report, double xnorm) {}

    /**
     * @param sets the verification sets, evaluated in this order
     * @param protocol the protocol (10 folds by default)
     * @param batchSize images per forward pass, {@code >= 1}
     */
    public BinVerificationEvaluator(List<VerificationBin> sets, InsightFaceVerification protocol, int batchSize) {
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("sets must hold at least one .bin set, got none");
        }
        Inputs.atLeast("batchSize", batchSize, 1);
        this.sets = List.copyOf(sets);
        this.protocol = protocol;
        this.batchSize = batchSize;
    }

    /** An evaluator of the sets with 10 folds and {@value #DEFAULT_BATCH} images per pass. */
    public BinVerificationEvaluator(List<VerificationBin> sets) {
        this(sets, InsightFaceVerification.builder().build(), DEFAULT_BATCH);
    }

    @Override
    public Map<String, Double> evaluate(Block backbone, NDManager manager) {
        // the block and its manager belong to the trainer: wrapped, never closed here
        EmbeddingNetwork network = new BlockEmbedder(backbone, manager);
        PreprocessedEmbedder embedder = new PreprocessedEmbedder(network, Preprocessing.INSIGHTFACE);
        Map<String, Double> m = new LinkedHashMap<>();
        for (Result r : evaluate(embedder)) {
            String k = r.set();
            m.put(k + "_accuracy", r.report().accuracyMean());
            m.put(k + "_accuracy_std", r.report().accuracyStd());
            m.put(k + "_xnorm", r.xnorm());
            m.put(k + "_val_at_far_1e-3", r.report().val());
            m.put(k + "_val_std", r.report().valStd());
            m.put(k + "_far", r.report().far());
        }
        return m;
    }

    /** Every set through the embedder (its raw outputs; its flip-sum setting is not used). */
    public List<Result> evaluate(PreprocessedEmbedder embedder) {
        return sets.stream().map(s -> evaluate(s, embedder)).toList();
    }

    /** One set through the embedder: plain and mirrored images, XNorm, flip-sum, the protocol. */
    public Result evaluate(VerificationBin set, PreprocessedEmbedder embedder) {
        int n = set.size();
        double[] plain = null;
        double[] mirrored = null;
        int d = 0;
        for (int start = 0; start < n; start += batchSize) {
            BufferedImage[] images = new BufferedImage[Math.min(batchSize, n - start)];
            for (int i = 0; i < images.length; i++) {
                try {
                    images[i] = set.decode(start + i);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            float[][] a = embedder.forward(images, false);
            float[][] b = embedder.forward(images, true);
            if (plain == null) {
                d = a[0].length;
                plain = new double[Math.multiplyExact(n, d)];
                mirrored = new double[n * d];
            }
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < d; j++) {
                    plain[(start + i) * d + j] = a[i][j];
                    mirrored[(start + i) * d + j] = b[i][j];
                }
            }
        }
        double[] both = new double[2 * n * d];
        System.arraycopy(plain, 0, both, 0, n * d);
        System.arraycopy(mirrored, 0, both, n * d, n * d);
        double xnorm = InsightFaceVerification.xnorm(both, d);
        double[] sum = new double[n * d];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = plain[i] + mirrored[i];
        }
        return new Result(set.name(), n, protocol.evaluate(sum, d, set.issame()), xnorm);
    }

    @Override
    public String toString() {
        return "BinVerificationEvaluator(sets=" + sets.stream().map(VerificationBin::name).toList() + ", " + protocol
                + ", batch=" + batchSize + ")";
    }
}
