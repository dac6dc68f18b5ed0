package org.metric4j.model.torch;

import java.io.IOException;

/**
 * A file that is not a {@code torch.save} state dict this package can read or write; the message
 * names the file, what was found, what was expected and how to fix it.
 */
public final class StateDictFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public StateDictFormatException(String message) {
        super(message);
    }

    public StateDictFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
