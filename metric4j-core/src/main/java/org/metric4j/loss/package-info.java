/**
 * The losses of deep metric learning, each a DJL {@link ai.djl.training.loss.Loss}: contrast-based
 * pair and tuple losses built on one pairwise matrix with positive / negative masks, and the
 * explicit-tuple losses PyTorch users know.
 */
package org.metric4j.loss;
