package org.metric4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j demo}: the main job of the README. Training and the comparison report arrive
 * with the training (#5) and command-line (#6) issues; until then it says so.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Train LeNet++ under softmax, center loss, SphereFace, CosFace and ArcFace and "
                + "produce the comparison report (not yet available).")
final class DemoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(
                "metric4j demo: not yet available. The training pipeline (issue #5) and the report "
                        + "(issue #6) are still to come.\n"
                        + "Available now: the loss library (see README) and "
                        + "'./metric4j bench --suite pair'.");
        return 0;
    }
}
