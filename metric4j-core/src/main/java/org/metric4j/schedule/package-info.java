/**
 * Schedules of loss parameters over training iterations (SphereFace's lambda annealing, margin
 * warm-up) and the clock a training loop advances.
 */
package org.metric4j.schedule;
