/**
 * Schedules of loss parameters over training iterations (SphereFace's lambda annealing, margin
 * warm-up), the clock a training loop advances, the once-per-step update hook of stateful losses
 * and heads, and the DJL training listener that drives both under a plain DJL {@code Trainer}.
 * Learning rates use DJL's own {@code Tracker}s where they fit.
 */
package org.metric4j.schedule;
