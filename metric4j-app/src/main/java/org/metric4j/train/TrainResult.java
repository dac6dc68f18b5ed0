package org.metric4j.train;

import java.util.List;
import java.util.Map;

/**
 * What a run produced.
 *
 * @param history one entry per epoch: "epoch", "iteration", "loss", "lr", "seconds",
 *     "images_per_second", "loop_overhead", and the evaluation metrics
 * @param resumedFromEpoch the last epoch of the checkpoint the run resumed from, or -1
 * @param stepLosses the total loss of every step trained in this call (not of resumed epochs)
 */
public record TrainResult(List<Map<String, Double>> history, int resumedFromEpoch, List<Double> stepLosses) {

    /** The last epoch's entry. */
    public Map<String, Double> last() {
        return history.get(history.size() - 1);
    }
}
