package org.metric4j.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.metric4j.data.FashionMnist;

/**
 * What a test needs from the machine (data, a browser, a tool). Outside CI a missing requirement
 * skips the test with its reason; with {@code -Dmetric4j.ci=true} (as {@code .ci/run} runs Maven)
 * it fails the test with that reason, so that CI cannot be green while a test never ran.
 */
public final class Requirements {

    /** The system property that turns a missing requirement into a failure. */
    public static final String CI = "metric4j.ci";

    /** The system property naming the browser's executable. */
    public static final String CHROMIUM = "metric4j.chromium";

    /** The system property naming a Python interpreter that has PyTorch. */
    public static final String PYTHON_TORCH = "metric4j.python.torch";

    /** The interpreter tried when {@value #PYTHON_TORCH} is not set: Debian's, where python3-torch installs. */
    static final String SYSTEM_PYTHON = "/usr/bin/python3";

    /** Browsers looked up on the PATH when {@value #CHROMIUM} is not set, in order. */
    static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");

    private Requirements() {}

    /** True under {@code -Dmetric4j.ci=true}. */
    public static boolean ci() {
        return Boolean.parseBoolean(System.getProperty(CI, "false").strip());
    }

    /**
     * Continues when the requirement holds; otherwise skips (or, under CI, fails) naming it.
     *
     * @param holds whether the machine has it
     * @param missing what is missing and how to get it
     */
    public static void require(boolean holds, String missing) {
        if (holds) {
            return;
        }
        if (ci()) {
            fail(missing + " (-D" + CI + "=true: a missing requirement fails the test instead of skipping it)");
        }
        Assumptions.abort(missing);
    }

    /**
     * The browser: {@code -Dmetric4j.chromium=PATH}, else the first of chromium, chromium-browser and
     * google-chrome on the PATH.
     */
    public static Path chromium() {
        String named = System.getProperty(CHROMIUM, "").strip();
        if (!named.isEmpty()) {
            Path p = Path.of(named);
            require(Files.isExecutable(p), "-D" + CHROMIUM + "=" + named + ": no browser executable at this path");
            return p;
        }
        Path found = onPath(BROWSERS, System.getenv().getOrDefault("PATH", ""));
        require(found != null, "no browser on the PATH (looked for " + String.join(", ", BROWSERS)
                + "); install chromium (.ci/run does) or set -D" + CHROMIUM + "=PATH");
        return found;
    }

    /**
     * A Python interpreter that can {@code import torch}: {@code -Dmetric4j.python.torch=PATH}, else
     * {@value #SYSTEM_PYTHON} (Debian's python3-torch; a pyenv {@code python3} on the PATH usually has
     * no torch).
     */
    public static Path pythonTorch() {
        String named = System.getProperty(PYTHON_TORCH, "").strip();
        Path python = Path.of(named.isEmpty() ? SYSTEM_PYTHON : named);
        String how = named.isEmpty() ? " (apt-get install python3-torch, or set -D" + PYTHON_TORCH + "=PATH)"
                : " (-D" + PYTHON_TORCH + "=" + named + ")";
        require(Files.isExecutable(python), "no Python interpreter at " + python + how);
        String failure = importTorchFailure(python);
        require(failure == null, python + " cannot import torch: " + failure + how);
        return python;
    }

    /** Null when {@code python -c 'import torch'} succeeds, else what went wrong. */
    private static String importTorchFailure(Path python) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import torch").redirectErrorStream(true).start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "import torch took more than 120 s";
            }
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (p.exitValue() == 0) {
                return null;
            }
            String[] lines = out.split("\\R");
            return "exit " + p.exitValue() + ": " + lines[lines.length - 1];
        } catch (java.io.IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The directory of Debian's Fashion-MNIST files ({@code apt-get install dataset-fashion-mnist}). */
    public static Path fashionMnist() {
        Path system = Path.of(FashionMnist.SYSTEM_DIR);
        require(Files.isDirectory(system), "Fashion-MNIST is not installed: " + system
                + " is absent (apt-get install dataset-fashion-mnist; .ci/run installs it)");
        return system;
    }

    /** The first executable of the names in the PATH's directories, or null. */
    static Path onPath(List<String> names, String path) {
        for (String name : names) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
