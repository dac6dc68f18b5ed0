/**
 * Batch samplers whose epoch e is a pure function of (seed, e), so that a resumed run sees the
 * batches it would have seen: {@link org.metric4j.sampler.PxKSampler} (P classes x K items per
 * batch, what every pair loss with in-batch mining needs; PML's {@code MPerClassSampler}),
 * {@link org.metric4j.sampler.ShuffleSampler}, {@link org.metric4j.sampler.HierarchicalSampler}
 * (batches from a few super-classes, m items per class),
 * {@link org.metric4j.sampler.TuplesToWeightsSampler} (items drawn in proportion to how often a
 * miner picks them) and {@link org.metric4j.sampler.FixedSetOfTriplets} (a fixed set of (anchor,
 * positive, negative) triplets drawn once, PML's sampler of that name), all DJL {@link
 * ai.djl.training.dataset.Sampler}s through {@link org.metric4j.sampler.EpochSampler}.
 */
package org.metric4j.sampler;
