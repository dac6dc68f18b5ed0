/**
 * Reducers turn the per-term losses of a batch (per pair, per triplet, per anchor) into the
 * scalar that is differentiated, as pytorch-metric-learning's reducers do.
 */
package org.metric4j.reducer;
