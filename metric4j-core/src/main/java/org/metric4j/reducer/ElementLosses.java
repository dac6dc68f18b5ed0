package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;

/**
 * The unreduced terms of one sub-loss, as PML's {@code DoNothingReducer} returns them: each term
 * with the batch indices it stands for.
 *
 * @param name the sub-loss name ({@code loss}, {@code pos_loss}, {@code neg_loss})
 * @param indices N x k INT64: pairs (a, b) for k = 2, triplets (a, p, n) for k = 3
 * @param losses N values in the loss dtype, zeros included
 */
public record ElementLosses(String name, NDArray indices, NDArray losses) {}
