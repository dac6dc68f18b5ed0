package org.metric4j.engine;

import com.google.gson.GsonBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.metric4j.eval.RetrievalMetrics;
import org.metric4j.eval.VerificationProtocol;

/**
 * The metrics of a sharded evaluation.
 *
 * @param embeddings the number of embeddings evaluated
 * @param dim their dimension
 * @param shards the shards of the reference set
 * @param verification the verification protocol's report, or null without pairs
 * @param retrieval the leave-one-out retrieval report, or null when not asked
 */
public record EvaluateResult(int embeddings, int dim, int shards, VerificationProtocol.Report verification,
        RetrievalMetrics.Report retrieval) {

    /** The result as the {@code evaluate} command prints it: one JSON line, keys in snake case. */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("embeddings", embeddings);
        json.put("dim", dim);
        json.put("shards", shards);
        if (verification != null) {
            json.put("accuracy_mean", verification.accuracyMean());
            json.put("accuracy_std", verification.accuracyStd());
            json.put("auc", verification.auc());
            json.put("eer", verification.eer());
            json.put("tar_at_far", verification.tarAtFar());
        }
        if (retrieval != null) {
            json.put("precision_at_1", retrieval.precisionAt1());
            json.put("r_precision", retrieval.rPrecision());
            json.put("map_at_r", retrieval.meanAveragePrecisionAtR());
            json.put("mean_reciprocal_rank", retrieval.meanReciprocalRank());
            json.put("recall_at_k", retrieval.recallAtK());
        }
        return new GsonBuilder().disableHtmlEscaping().create().toJson(json);
    }
}
