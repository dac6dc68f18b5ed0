package org.metric4j.loss;

import java.util.Objects;
import org.metric4j.distance.Distance;
import org.metric4j.reducer.Reducer;

/**
 * The options every pair loss shares, as in PML's {@code BaseMetricLossFunction}: the distance
 * that gives the B x B matrix, an optional miner that narrows the pairs or triplets, and the
 * reducer of the per-pair (or per-anchor) terms. Each loss's builder extends this one and adds
 * its own parameters; the defaults are the loss's own (see its class Javadoc).
 *
 * @param <M> the miner type ({@code PairMiner} or {@code TripletMiner})
 * @param <B> the concrete builder, returned by every {@code opt} method
 */
public abstract class PairLossBuilder<M, B extends PairLossBuilder<M, B>> {

    private Distance distance;
    private M miner;
    private Reducer reducer;

    /** A builder with the loss's default distance and reducer, and no miner. */
    PairLossBuilder(Distance defaultDistance, Reducer defaultReducer) {
        this.distance = defaultDistance;
        this.reducer = defaultReducer;
    }

    /** The distance or similarity (default: the loss's, see its class Javadoc). */
    public B optDistance(Distance distance) {
        this.distance = checkDistance(Objects.requireNonNull(distance, "distance"));
        return self();
    }

    /** A miner that narrows the pairs or triplets (default none: all of them). */
    public B optMiner(M miner) {
        this.miner = Objects.requireNonNull(miner, "miner");
        return self();
    }

    /** The reducer of the loss terms (default: the loss's, see its class Javadoc). */
    public B optReducer(Reducer reducer) {
        this.reducer = Objects.requireNonNull(reducer, "reducer");
        return self();
    }

    /** The distance a loss accepts; a loss that needs a similarity throws here. */
    Distance checkDistance(Distance distance) {
        return distance;
    }

    /** This builder. */
    abstract B self();

    Distance distance() {
        return distance;
    }

    M miner() {
        return miner;
    }

    Reducer reducer() {
        return reducer;
    }
}
