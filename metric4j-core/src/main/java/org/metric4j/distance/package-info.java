/**
 * Distances and similarities as B x M matrices, and the label masks that select positive and
 * negative pairs from them: the one mechanism that every pair and tuple loss builds on.
 */
package org.metric4j.distance;
