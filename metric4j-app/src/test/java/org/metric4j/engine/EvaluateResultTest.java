package org.metric4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.metric4j.eval.RetrievalMetrics;
import org.metric4j.eval.VerificationProtocol;

/** The JSON line {@code evaluate --engine spark} prints. */
class EvaluateResultTest {

    @Test
    void retrievalOnly() {
        Map<Integer, Double> recall = new LinkedHashMap<>();
        recall.put(1, 0.5);
        recall.put(5, 0.75);
        RetrievalMetrics.Report r = new RetrievalMetrics.Report(0.5, 0.25, 0.125, 0.3, 0.625, recall, 5, 8, 0,
                EnumSet.allOf(RetrievalMetrics.Metric.class));
        assertEquals("{\"embeddings\":8,\"dim\":4,\"shards\":2,\"precision_at_1\":0.5,\"r_precision\":0.25,"
                + "\"map_at_r\":0.125,\"mean_reciprocal_rank\":0.625,\"recall_at_k\":{\"1\":0.5,\"5\":0.75}}",
                new EvaluateResult(8, 4, 2, null, r).toJson());
    }

    @Test
    void verificationOnly() {
        Map<Double, Double> tar = new LinkedHashMap<>();
        tar.put(0.01, 0.9);
        VerificationProtocol.Report v = new VerificationProtocol.Report(0.95, 0.01, new double[] {0.95},
                new double[] {0.3}, null, 0.98, 0.04, tar);
        assertEquals("{\"embeddings\":6,\"dim\":3,\"shards\":1,\"accuracy_mean\":0.95,\"accuracy_std\":0.01,"
                + "\"auc\":0.98,\"eer\":0.04,\"tar_at_far\":{\"0.01\":0.9}}",
                new EvaluateResult(6, 3, 1, v, null).toJson());
    }
}
