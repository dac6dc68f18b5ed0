package org.metric4j.cli;

import picocli.CommandLine;

/** Versions of metric4j, DJL and the JVM for {@code --version}. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String own = Metric4j.class.getPackage().getImplementationVersion();
        return new String[] {
            "metric4j " + (own == null ? "0.1.0-SNAPSHOT" : own),
            "DJL " + ai.djl.engine.Engine.getDjlVersion() + ", Java " + System.getProperty("java.version")
        };
    }
}
