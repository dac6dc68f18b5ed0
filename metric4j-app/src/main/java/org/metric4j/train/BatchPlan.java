package org.metric4j.train;

/**
 * The batches of an epoch as item indices, a pure function of the epoch (so a resumed run sees
 * the same batches): a P x K sampler for pair losses, plain shuffling for classification heads.
 */
@FunctionalInterface
public interface BatchPlan {

    /**
     * The batches of an epoch.
     *
     * @param epoch the epoch, 0-based
     * @return index arrays, one per batch
     */
    int[][] batches(long epoch);
}
