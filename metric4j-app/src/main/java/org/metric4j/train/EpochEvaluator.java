package org.metric4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.util.Map;

/** Evaluates the backbone after an epoch; the metrics go to the log and the checkpoint. */
@FunctionalInterface
public interface EpochEvaluator {

    /**
     * @param backbone the network in inference mode
     * @param manager the manager of its parameters
     * @return named metrics
     */
    Map<String, Double> evaluate(Block backbone, NDManager manager);
}
