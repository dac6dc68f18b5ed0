package org.metric4j.data;

import java.io.IOException;
import java.util.List;

/**
 * A dataset was found in none of the places searched. The message lists every place in search
 * order, what was missing there and how to fix it; {@link #attempts()} holds the same lines.
 */
public final class DatasetNotFoundException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> attempts;

    /**
     * @param what the dataset and files looked for
     * @param attempts one line per place searched: the place, what was missing, the fix
     */
    public DatasetNotFoundException(String what, List<String> attempts) {
        super(message(what, attempts));
        this.attempts = List.copyOf(attempts);
    }

    /** One line per place searched, in search order. */
    public List<String> attempts() {
        return attempts;
    }

    private static String message(String what, List<String> attempts) {
        StringBuilder sb = new StringBuilder(what).append(" not found; searched, in order:");
        for (int i = 0; i < attempts.size(); i++) {
            sb.append(System.lineSeparator()).append("  ").append(i + 1).append(". ")
                    .append(attempts.get(i));
        }
        return sb.toString();
    }
}
