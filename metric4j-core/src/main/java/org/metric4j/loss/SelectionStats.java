package org.metric4j.loss;

import java.util.Optional;

/**
 * A loss that selects pairs, triplets or anchors (by labels, by a miner, or both) and tells what
 * its last call selected, so that a trainer can count the steps whose loss was 0 because the
 * selection was empty (a collapsed batch-hard run shows as such steps). {@link MetricLoss}
 * implements it once for every pair loss: each records the selection of the terms it hands its
 * reducer.
 */
public interface SelectionStats {

    /**
     * The selection of the last call on any thread; empty before the first call and for a loss
     * that selects nothing (one that uses every item, such as CoCo).
     */
    Optional<Selection> lastSelection();
}
