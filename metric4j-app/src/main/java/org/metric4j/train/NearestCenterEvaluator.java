package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.LinkedHashMap;
import java.util.Map;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.RetrievalMetrics;

/**
 * Closed-set evaluation of a classification dataset: class centers are the normalized mean of
 * the L2-normalized training embeddings of each class; a test item is assigned to the center of
 * highest cosine ("nearest class center" accuracy). Also leave-one-out Precision@1 and MAP@R on
 * the test set.
 */
public final class NearestCenterEvaluator implements EpochEvaluator {

    private final LabeledImages train;
    private final LabeledImages test;
    private final int trainLimit;

    /**
     * @param train items whose embeddings define the class centers
     * @param test items to classify
     * @param trainLimit how many training items to embed for the centers ({@code <= 0}: all)
     */
    public NearestCenterEvaluator(LabeledImages train, LabeledImages test, int trainLimit) {
        this.train = train;
        this.test = test;
        this.trainLimit = trainLimit;
    }

    @Override
    public Map<String, Double> evaluate(Block backbone, NDManager manager) {
        EmbeddingSet tr = Embedder.embed(backbone, train, trainLimit, manager);
        EmbeddingSet te = Embedder.embed(backbone, test, 0, manager);
        int d = tr.dim();
        int classes = Math.max(train.numClasses(), test.numClasses());
        double[][] centers = new double[classes][d];
        double[] v = tr.values();
        long[] y = tr.labels();
        for (int i = 0; i < tr.size(); i++) {
            double norm = norm(v, i, d);
            for (int j = 0; j < d; j++) {
                centers[(int) y[i]][j] += v[i * d + j] / norm;
            }
        }
        double[] t = te.values();
        long[] ty = te.labels();
        int correct = 0;
        for (int i = 0; i < te.size(); i++) {
            double norm = norm(t, i, d);
            int best = -1;
            double bestCos = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double dot = 0;
                double cn = 0;
                for (int j = 0; j < d; j++) {
                    dot += centers[c][j] * t[i * d + j];
                    cn += centers[c][j] * centers[c][j];
                }
                double cos = dot / (Math.sqrt(cn) * norm + 1e-12);
                if (cos > bestCos) {
                    bestCos = cos;
                    best = c;
                }
            }
            correct += best == ty[i] ? 1 : 0;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("ncc_accuracy", correct / (double) te.size());
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(te.floats(), new Shape(te.size(), d));
            RetrievalMetrics.Report r = RetrievalMetrics.leaveOneOut(x, ty, KnnSearch.builder().build());
            m.put("precision_at_1", r.precisionAt1());
            m.put("map_at_r", r.meanAveragePrecisionAtR());
        }
        return m;
    }

    private static double norm(double[] v, int i, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += v[i * d + j] * v[i * d + j];
        }
        return Math.max(Math.sqrt(s), 1e-12);
    }
}
