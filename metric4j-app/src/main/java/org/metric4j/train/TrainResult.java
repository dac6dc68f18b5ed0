package org.metric4j.train;

import java.util.List;

/**
 * What a run produced.
 *
 * @param history one record per epoch (also those of the checkpoint the run resumed from)
 * @param resumedFromEpoch the last epoch of the checkpoint the run resumed from, or -1
 * @param stepLosses the total loss of every step of the run: with an output directory, those before
 *     the checkpoint a run resumed from are read back from {@value EmbeddingTrainer#STEP_LOSSES}
 */
public record TrainResult(List<EpochRecord> history, int resumedFromEpoch, List<Double> stepLosses) {

    /** The last epoch's record. */
    public EpochRecord last() {
        return history.get(history.size() - 1);
    }
}
