/**
 * Miners select informative pairs or triplets of a batch without gradient (batch-hard,
 * semi-hard, pair margin, multi-similarity, batch easy-hard, HDC, angular) and hand index tuples to a loss, as
 * pytorch-metric-learning's miners do.
 */
package org.metric4j.miner;
