/**
 * Batch samplers whose epoch e is a pure function of (seed, e), so that a resumed run sees the
 * batches it would have seen: {@link org.metric4j.sampler.PxKSampler} (P classes x K items per
 * batch, what every pair loss with in-batch mining needs; PML's {@code MPerClassSampler}) and
 * {@link org.metric4j.sampler.ShuffleSampler}, both DJL {@link ai.djl.training.dataset.Sampler}s
 * through {@link org.metric4j.sampler.EpochSampler}; {@link org.metric4j.sampler.FixedSetOfTriplets}
 * serves a fixed set of (anchor, positive, negative) triplets drawn once (PML's sampler of that
 * name).
 */
package org.metric4j.sampler;
