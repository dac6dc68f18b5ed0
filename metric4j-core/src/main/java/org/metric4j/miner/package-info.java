/**
 * Miners select informative pairs or triplets of a batch without gradient (batch-hard,
 * semi-hard, pair margin, multi-similarity, batch easy-hard, HDC, angular) and hand index tuples to a loss, as
 * pytorch-metric-learning's miners do. The sampling miners (distance-weighted, uniform histogram)
 * draw from a seeded generator given to their builder; batches already laid out as triplets pass
 * through {@link org.metric4j.miner.EmbeddingsAlreadyPackagedAsTriplets}. The miners that are one
 * rule on a B x M matrix extend {@link org.metric4j.miner.MatrixPairMiner} or {@link
 * org.metric4j.miner.MatrixTripletMiner}, which give every one of them the batch, reference-set
 * and relation forms.
 */
package org.metric4j.miner;
