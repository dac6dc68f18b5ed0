/**
 * Reports of runs and comparisons: figures drawn with XChart (feature clouds on the plane and on
 * the sphere with class-weight directions, ROC curves on a log FAR axis, loss curves) saved as PNG
 * and SVG, and one self-contained HTML page with every metric, its definition, and the command
 * and versions that produced it.
 */
package org.metric4j.report;
