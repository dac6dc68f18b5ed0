/**
 * Regularizers: a penalty on the rows of an array (a batch of embeddings, or a loss's class
 * weights, proxies or centers) reduced to a scalar, as pytorch-metric-learning's regularizers.
 * A loss takes them as PML does: {@code org.metric4j.loss.RegularizedLoss} adds \( \lambda R(x)
 * \) on the embeddings to any metric loss ({@code embedding_regularizer}, {@code
 * embedding_reg_weight}), {@code org.metric4j.loss.RegularizedProxyLoss} \( \lambda R(W) \) on a
 * proxy loss's proxies ({@code weight_regularizer}, {@code weight_reg_weight}); for a margin head
 * add \( \lambda R(W^T) \) of the head's weights to its loss.
 */
package org.metric4j.loss.regularizer;
