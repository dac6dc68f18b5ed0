/** Numerically stable building blocks (masked logsumexp, softplus), input validation and seed mixing. */
package org.metric4j.math;
