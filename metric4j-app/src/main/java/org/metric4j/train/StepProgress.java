package org.metric4j.train;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress of an epoch on standard error: on a terminal a bar redrawn in place; otherwise
 * (CI, {@code > log}: {@link System#console()} is null, or {@code TERM=dumb}) one line every 10%
 * of the epoch, which a log keeps readable.
 */
interface StepProgress extends AutoCloseable {

    /** Marks the steps before {@code done} as done without showing them (a resumed epoch). */
    void stepTo(int done);

    /** One step done; {@code message} is the step's loss, learning rate and throughput. */
    void step(String message);

    @Override
    void close();

    /** The progress of {@code steps} steps named {@code task}: a bar on a terminal, else lines. */
    static StepProgress open(String task, int steps) {
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return terminal ? new Bar(task, steps, err) : new Lines(task, steps, System.err);
    }

    /** The redrawn bar. */
    final class Bar implements StepProgress {
        private final ProgressBar bar;

        Bar(String task, int steps, PrintStream err) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(500).build();
        }

        @Override
        public void stepTo(int done) {
            bar.stepTo(done);
        }

        @Override
        public void step(String message) {
            bar.step();
            bar.setExtraMessage(message);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    /** One line each time the epoch passes a further tenth of its steps (every step when it has fewer than 10). */
    final class Lines implements StepProgress {
        private final String task;
        private final int steps;
        private final PrintStream out;
        private int done;

        Lines(String task, int steps, PrintStream out) {
            this.task = task;
            this.steps = steps;
            this.out = out;
        }

        @Override
        public void stepTo(int done) {
            this.done = done;
        }

        @Override
        public void step(String message) {
            int before = done * 10 / steps;
            done++;
            if (done * 10 / steps > before) {
                out.printf(java.util.Locale.ROOT, "%s %3d%% (%d/%d steps)%s%n", task, 100L * done / steps, done, steps,
                        message);
                out.flush();
            }
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
