package org.metric4j.sampler;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A batch sampler whose epoch e is a pure function of (seed, e): a run resumed at epoch e sees
 * the same batches as an uninterrupted one.
 *
 * <p>A training loop calls {@link #epochBatches(long)} directly. Through DJL
 * ({@code Trainer}, {@code EasyTrain}), each {@link #sample(RandomAccessDataset)} call, made once
 * per pass over the dataset, serves epoch {@link #nextEpoch()} and advances it; call
 * {@link #setNextEpoch(long)} to resume.
 */
public interface EpochSampler extends Sampler {

    /** The item indices of every batch of epoch {@code epoch}, in order. */
    int[][] epochBatches(long epoch);

    /** The number of batches per epoch. */
    int batchesPerEpoch();

    /** The number of items the indices refer to. */
    int datasetSize();

    /** The epoch the next {@link #sample(RandomAccessDataset)} call serves. */
    long nextEpoch();

    /** Sets the epoch the next {@link #sample(RandomAccessDataset)} call serves (to resume). */
    void setNextEpoch(long epoch);

    /**
     * The batches of epoch {@link #nextEpoch()} as DJL expects them; advances the epoch.
     *
     * @throws IllegalArgumentException when the dataset's size differs from {@link #datasetSize()}
     */
    @Override
    default Iterator<List<Long>> sample(RandomAccessDataset dataset) {
        if (dataset.size() != datasetSize()) {
            throw new IllegalArgumentException("dataset must have the " + datasetSize()
                    + " items this sampler was built for, got " + dataset.size());
        }
        long epoch;
        synchronized (this) {
            epoch = nextEpoch();
            setNextEpoch(epoch + 1);
        }
        List<List<Long>> batches = new ArrayList<>();
        for (int[] batch : epochBatches(epoch)) {
            batches.add(Arrays.stream(batch).mapToObj(i -> (long) i).toList());
        }
        return batches.iterator();
    }
}
