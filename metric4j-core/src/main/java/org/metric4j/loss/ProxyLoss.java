package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import org.metric4j.math.Inputs;

/**
 * A loss of embeddings against learnable class proxies (proxy-based deep metric learning): each
 * class c has one proxy, or k sub-centers, a row of an M x D array that trains with the network.
 * In training the proxies are a Block's parameter, as the class weights of a margin head are: a
 * {@link org.metric4j.head.ClassCenters} block of M rows passes the embeddings through and
 * appends the proxies, so {@link #evaluate} takes predictions [B x D embeddings, M x D proxies]
 * and the labels [B class ids].
 */
public abstract class ProxyLoss extends ClassificationLoss {

    /**
     * @param name the name in training logs
     */
    protected ProxyLoss(String name) {
        super(name);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.size() < 2) {
            throw new IllegalArgumentException(getName()
                    + ": predictions must hold [B x D embeddings, M x D proxies], got "
                    + (predictions == null ? "none" : predictions.size() + " array(s)"));
        }
        return compute(predictions.get(0), predictions.get(1), labelsOf(labels));
    }

    /**
     * The loss of a batch.
     *
     * @param embeddings B x D, float32 or float64
     * @param proxies M x D in the embeddings' dtype, the rows the subclass documents
     * @param labels B class ids
     * @return the loss, a scalar of the embeddings' dtype
     */
    public abstract NDArray compute(NDArray embeddings, NDArray proxies, NDArray labels);

    /**
     * Checks the inputs and returns the labels as INT64 class ids in [0, numClasses).
     *
     * @param embeddings B x D
     * @param proxies M x D, same dtype
     * @param labels B ids
     * @param rowsPerClass proxy rows per class (M must be a multiple of it)
     * @return the labels, INT64
     */
    static NDArray checkedLabels(NDArray embeddings, NDArray proxies, NDArray labels, int rowsPerClass) {
        long b = Inputs.embeddings("embeddings", embeddings);
        Inputs.embeddings("proxies", proxies);
        Inputs.sameWidth("embeddings", embeddings, "proxies", proxies);
        if (proxies.getDataType() != embeddings.getDataType()) {
            throw new IllegalArgumentException("proxies must have the embeddings' dtype ("
                    + embeddings.getDataType() + "), got " + proxies.getDataType());
        }
        long m = proxies.getShape().get(0);
        if (m % rowsPerClass != 0) {
            throw new IllegalArgumentException("proxies must have numClasses x " + rowsPerClass
                    + " rows (" + rowsPerClass + " per class), got " + m);
        }
        return Inputs.classLabels("labels", labels, b, m / rowsPerClass);
    }

    /** The B x C boolean mask of each row's class. */
    static NDArray classMask(NDArray labels, long numClasses) {
        NDArray classes = labels.getManager().arange((int) numClasses).toType(DataType.INT64, false)
                .toDevice(labels.getDevice(), false);
        return labels.reshape(-1, 1).eq(classes.reshape(1, -1));
    }
}
