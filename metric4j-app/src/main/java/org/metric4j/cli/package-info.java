/** The {@code metric4j} command line: one picocli command class per file. */
package org.metric4j.cli;
