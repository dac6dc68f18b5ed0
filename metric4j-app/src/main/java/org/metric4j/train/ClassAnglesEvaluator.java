package org.metric4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.util.LinkedHashMap;
import java.util.Map;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.eval.ClassAngles;

/**
 * Intra-class compactness and inter-class separation ({@link ClassAngles}) of the embeddings of
 * held-out images of the training classes: {@code intra_angle_deg}, {@code inter_angle_deg} and
 * their ratio {@code angle_ratio} (lower is more discriminative).
 */
public final class ClassAnglesEvaluator implements EpochEvaluator {

    private final LabeledImages data;

    /** @param data held-out images of the classes seen in training */
    public ClassAnglesEvaluator(LabeledImages data) {
        this.data = data;
    }

    @Override
    public Map<String, Double> evaluate(Block backbone, NDManager manager) {
        ClassAngles.Report r = ClassAngles.of(Embedder.embed(backbone, data, 0, manager));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("intra_angle_deg", r.intraDegrees());
        m.put("inter_angle_deg", r.interDegrees());
        m.put("angle_ratio", r.ratio());
        return m;
    }
}
