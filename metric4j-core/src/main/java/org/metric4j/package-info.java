/**
 * metric4j: deep metric learning and face-recognition losses on DJL.
 *
 * <p>Packages mirror the architecture: {@link org.metric4j.distance} (pairwise matrices and label
 * masks), {@link org.metric4j.miner} (tuple selection without gradient), {@link
 * org.metric4j.reducer} (per-term losses to a scalar) and {@link org.metric4j.loss} (the losses,
 * each a DJL {@link ai.djl.training.loss.Loss}).
 */
package org.metric4j;
