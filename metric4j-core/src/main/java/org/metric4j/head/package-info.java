/**
 * Trainable classification heads as DJL Blocks (class weights, class centers, sub-centers,
 * partial classifiers for huge class counts): used in training, dropped at deployment. Their
 * outputs feed the margin losses of {@link org.metric4j.loss}.
 */
package org.metric4j.head;
