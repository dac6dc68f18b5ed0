package org.metric4j.cli;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What a run records about the software that made it: the metric4j version of the build
 * ({@code metric4j.properties}, written by Maven resource filtering from the pom), the DJL and
 * engine (PyTorch) versions, the Java version, and the git commit when the classes were built in
 * a git checkout (read from {@code .git} without running git; a worktree's {@code .git} file is
 * followed).
 */
final class BuildInfo {

    /** The resource the build writes its version into (also read by the comparison report). */
    static final String PROPERTIES = "/org/metric4j/metric4j.properties";

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

    private BuildInfo() {}

    /** The metric4j version of the build, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String metric4jVersion() {
        try (InputStream in = BuildInfo.class.getResourceAsStream(PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("metric4j.properties is missing from the class path (a build"
                        + " without Maven's resource filtering?)");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            if (v == null || v.isBlank() || v.contains("${")) {
                throw new IllegalStateException("metric4j.properties holds no filtered version, got '" + v + "'");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read metric4j.properties", e);
        }
    }

    /**
     * The versions: metric4j, DJL, the engine's (its name in lower case, e.g. {@code pytorch}) and
     * Java's (version and vendor).
     */
    static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("metric4j", metric4jVersion());
        v.put("djl", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        v.put(engine.getEngineName().toLowerCase(java.util.Locale.ROOT), engine.getVersion());
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        return v;
    }

    /** The commit of the git checkout the classes were built in, if they were. */
    static Optional<String> gitCommit() {
        try {
            Path start = Path.of(BuildInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return gitCommit(start);
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty(); // not a file location (e.g. a custom class loader): no commit to report
        }
    }

    /** The commit checked out in the git work tree holding {@code start}, if there is one. */
    static Optional<String> gitCommit(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path dotGit = dir.resolve(".git");
            if (Files.exists(dotGit)) {
                try {
                    return commit(dotGit);
                } catch (IOException e) {
                    return Optional.empty(); // an unreadable .git: the commit is omitted
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> commit(Path dotGit) throws IOException {
        Path gitDir = dotGit;
        if (Files.isRegularFile(dotGit)) { // a worktree or submodule: "gitdir: PATH"
            String text = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
            if (!text.startsWith("gitdir:")) {
                return Optional.empty();
            }
            gitDir = dotGit.getParent().resolve(text.substring("gitdir:".length()).trim()).normalize();
        }
        String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).trim();
        if (SHA.matcher(head).matches()) {
            return Optional.of(head); // detached
        }
        if (!head.startsWith("ref:")) {
            return Optional.empty();
        }
        String ref = head.substring("ref:".length()).trim();
        Path common = gitDir;
        Path commonFile = gitDir.resolve("commondir");
        if (Files.isRegularFile(commonFile)) {
            common = gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).trim()).normalize();
        }
        for (Path root : new Path[] {gitDir, common}) {
            Path loose = root.resolve(ref);
            if (Files.isRegularFile(loose)) {
                String sha = Files.readString(loose, StandardCharsets.UTF_8).trim();
                return SHA.matcher(sha).matches() ? Optional.of(sha) : Optional.empty();
            }
        }
        Path packed = common.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split(" ");
                if (f.length == 2 && f[1].equals(ref) && SHA.matcher(f[0]).matches()) {
                    return Optional.of(f[0]);
                }
            }
        }
        return Optional.empty(); // a branch without commits
    }
}
