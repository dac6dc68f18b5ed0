/** Numerically stable building blocks (masked logsumexp, softplus) and input validation. */
package org.metric4j.math;
