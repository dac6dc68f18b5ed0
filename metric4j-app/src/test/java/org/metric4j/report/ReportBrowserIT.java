package org.metric4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.support.Requirements;

/**
 * The comparison report in a real browser (headless Chromium, found by {@link Requirements#chromium()}): the page loads, every
 * figure is shown (the page's own check writes "figures shown: n/n"), and the console has no
 * error.
 */
@Tag("heavy")
class ReportBrowserIT {

    @Test
    void reportLoadsInChromiumWithEveryFigureAndNoConsoleError(@TempDir Path dir) throws Exception {
        Path chromium = Requirements.chromium();
        Path out = dir.resolve("report");
        List<Comparison.Entry> entries = List.of(
                new Comparison.Entry("softmax 2-D", "lenetpp:dim=2", List.of("softmax")),
                new Comparison.Entry("arcface 2-D", "lenetpp:dim=2", List.of("arcface:scale=10,margin=0.2")),
                new Comparison.Entry("cosface 3-D", "lenetpp:dim=3", List.of("cosface:scale=10,margin=0.1")));
        StringWriter progress = new StringWriter();
        Path page = new Comparison("synthetic-faces:identities=5,images=12,size=28,channels=1,eval-identities=5,eval-images=12",
                entries, new Comparison.Budget(1, 20, "adam", "constant:lr=0.003", 1, null,
                org.metric4j.TestDevice.get()), "test")
                .run(out, new PrintWriter(progress), false);
        assertTrue(progress.toString().contains("[3/3]"), progress.toString());
        String html = Files.readString(page, StandardCharsets.UTF_8);
        int figures = count(html, "<figure");
        assertEquals(5, figures, "2 plane plots, 1 sphere, ROC and loss curves");
        for (String f : new String[] {"softmax-2-d-features.png", "cosface-3-d-sphere.svg", "roc.png", "loss.svg"}) {
            assertTrue(Files.size(out.resolve("figures").resolve(f)) > 1000, f);
        }

        Path profile = Files.createDirectories(dir.resolve("profile"));
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--virtual-time-budget=5000", "--dump-dom", page.toUri().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String log = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        Matcher m = Pattern.compile("figures shown: (\\d+)/(\\d+)").matcher(dom);
        assertTrue(m.find(), "the page's load check did not run; DOM tail: " + tail(dom) + "\nlog: " + tail(log));
        assertEquals(m.group(2), m.group(1), "every figure must be shown");
        assertEquals(String.valueOf(figures), m.group(2));
        for (String line : log.split("\n")) {
            boolean console = line.contains(":CONSOLE");
            assertTrue(!(console && (line.contains("Uncaught") || line.toLowerCase().contains("error"))),
                    "console error: " + line);
        }
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }
}
