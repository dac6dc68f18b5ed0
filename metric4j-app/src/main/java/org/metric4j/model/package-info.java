/**
 * Backbones (feature extractors) that map images to embeddings: LeNet++ of the center-loss paper
 * and a small InsightFace-style residual network for 112 x 112 faces. They are kept at
 * deployment; the heads of {@link org.metric4j.head} are not.
 */
package org.metric4j.model;
