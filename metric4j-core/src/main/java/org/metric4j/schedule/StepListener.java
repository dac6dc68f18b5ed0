package org.metric4j.schedule;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import java.util.List;
import java.util.Map;

/**
 * A DJL {@code TrainingListener} that, once per training batch, calls each {@link StepUpdate}
 * with the batch's labels and predictions and then advances a {@link TrainingClock}, so that
 * loss-parameter schedules (SphereFace's lambda, a margin warm-up) and per-step state follow a
 * plain DJL {@code Trainer} under {@code EasyTrain.fit}.
 *
 * <p>Add it after DJL's logging listeners ({@code TrainingListener.Defaults.logging()}), so that
 * the logged loss of a step is the one the step trained on, before any update moves the state:
 *
 * <pre>{@code
 * config.addTrainingListeners(TrainingListener.Defaults.logging())
 *       .addTrainingListeners(new StepListener(clock, List.of(jointLoss)));
 * }</pre>
 *
 * <p>The updates run on the predictions of the first device only: a rule that moves a parameter
 * in place (a {@code CenterLoss} with its {@code CenterUpdate}) needs the parameter's own array,
 * which only a single-device trainer passes through.
 */
public final class StepListener extends TrainingListenerAdapter {

    private final TrainingClock clock;
    private final List<StepUpdate> updates;

    /**
     * A listener.
     *
     * @param clock the clock to advance once per step
     * @param updates the hooks to call once per step, in order
     */
    public StepListener(TrainingClock clock, List<? extends StepUpdate> updates) {
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null");
        }
        this.clock = clock;
        this.updates = List.copyOf(updates);
    }

    /** A listener that only advances the clock. */
    public StepListener(TrainingClock clock) {
        this(clock, List.of());
    }

    /** The clock. */
    public TrainingClock clock() {
        return clock;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        if (!updates.isEmpty()) {
            Map<Device, NDList> labels = batchData.getLabels();
            Map<Device, NDList> predictions = batchData.getPredictions();
            Device first = trainer.getDevices()[0];
            NDList y = labels.get(first);
            NDList p = predictions.get(first);
            if (y == null || p == null) {
                throw new IllegalStateException("no labels or predictions for device " + first + " in the batch");
            }
            for (StepUpdate u : updates) {
                u.afterStep(y, p);
            }
        }
        clock.advance();
    }

    @Override
    public String toString() {
        return "StepListener(" + clock + ", updates=" + updates + ")";
    }
}
