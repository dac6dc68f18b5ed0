package org.metric4j.cli;

import java.util.Map;
import picocli.CommandLine;

/**
 * {@code --version}: the versions of the build and of what it runs on ({@link BuildInfo}):
 * metric4j (from the pom, through resource filtering), DJL, the engine (PyTorch), Java, and the
 * git commit of a build from a checkout.
 */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        Map<String, String> v = BuildInfo.versions();
        StringBuilder others = new StringBuilder();
        v.forEach((name, version) -> {
            if (!name.equals("metric4j")) {
                others.append(others.length() == 0 ? "" : ", ").append(label(name)).append(' ').append(version);
            }
        });
        String commit = BuildInfo.gitCommit().map(c -> " (git " + c + ")").orElse("");
        return new String[] {"metric4j " + v.get("metric4j") + commit, others.toString()};
    }

    private static String label(String name) {
        return switch (name) {
            case "djl" -> "DJL";
            case "pytorch" -> "PyTorch";
            case "java" -> "Java";
            default -> name;
        };
    }
}
