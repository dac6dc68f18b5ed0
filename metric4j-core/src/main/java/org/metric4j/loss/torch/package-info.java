/**
 * The losses of {@code torch.nn} that metric learners use on explicit rows (triplet margin,
 * cosine embedding, margin ranking), with PyTorch's exact definitions so that numbers carry over.
 */
package org.metric4j.loss.torch;
