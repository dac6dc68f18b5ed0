/**
 * Training of embedding models: backbone + heads + losses, optimizers with saved state,
 * checkpoints that resume to the same result, per-epoch evaluation, logs and exports.
 */
package org.metric4j.train;
