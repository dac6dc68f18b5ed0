package org.metric4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * How a failed command reports itself: one line {@code metric4j <command>: error: <chain>}, where
 * the chain is the message of each exception and its causes joined by {@code ": "}, wrappers and
 * repeated messages left out (so an {@link UncheckedIOException} around a {@link
 * NoSuchFileException} reads {@code training output in run: run/x: no such file or directory}). A message of
 * several lines (the places a {@link org.metric4j.data.DatasetNotFoundException} searched) keeps
 * its further lines, indented, after the first. With {@code -v} the stack trace follows.
 *
 * <p>Exit codes: {@value #BAD_INPUT} for bad input, i.e. an {@link IllegalArgumentException}, a
 * picocli {@link ParameterException} or an {@link IOException} (a file that is missing, unreadable,
 * malformed or cannot be written, a dataset not found) anywhere in the chain; {@value #INTERNAL}
 * for any other failure (an {@link IllegalStateException} such as a diverged loss, or a bug).
 */
final class ErrorReport {

    /** The exit code of bad input (picocli's {@code exitCodeOnInvalidInput}). */
    static final int BAD_INPUT = 2;
    /** The exit code of an internal failure. */
    static final int INTERNAL = 1;

    private ErrorReport() {}

    /** {@value #BAD_INPUT} when the chain holds bad input (see the class Javadoc), else {@value #INTERNAL}. */
    static int exitCode(Throwable e) {
        for (Throwable t : causes(e)) {
            if (t instanceof IllegalArgumentException || t instanceof ParameterException
                    || t instanceof IOException) {
                return BAD_INPUT;
            }
        }
        return INTERNAL;
    }

    /** Prints the report of {@code e} for {@code command} and returns its exit code. */
    static int report(PrintWriter err, String command, Throwable e, boolean verbose) {
        String hint = !verbose && exitCode(e) == INTERNAL && !(e instanceof IllegalStateException)
                ? " (an internal error: -v shows the stack trace)" : "";
        err.println(command + ": error: " + chain(e) + hint);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
    }

    /** The messages of {@code e} and its causes, joined by ": ", without wrappers or repeats. */
    static String chain(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t : causes(e)) {
            String m = message(t);
            if (m == null) {
                continue;
            }
            String first = firstLine(m);
            boolean repeated = false;
            for (int i = 0; i < parts.size(); i++) {
                String p = parts.get(i);
                if (firstLine(p).contains(first)) {
                    repeated = true; // an outer message that already quotes this one
                    break;
                }
                if (m.contains(firstLine(p))) {
                    parts.set(i, m); // this message quotes the outer one: keep the fuller
                    repeated = true;
                    break;
                }
            }
            if (!repeated) {
                parts.add(m);
            }
        }
        if (parts.isEmpty()) {
            return e.getClass().getName();
        }
        // a multi-line part keeps its further lines at the end
        StringBuilder line = new StringBuilder();
        StringBuilder rest = new StringBuilder();
        for (String p : parts) {
            String[] lines = p.strip().split("\\R");
            if (line.length() > 0) {
                line.append(": ");
            }
            line.append(lines[0].strip());
            for (int i = 1; i < lines.length; i++) {
                rest.append(System.lineSeparator()).append(lines[i].startsWith(" ") ? "" : "  ").append(lines[i]);
            }
        }
        return line.append(rest).toString();
    }

    /** The text one exception adds to the chain, or null for a wrapper that adds nothing. */
    private static String message(Throwable t) {
        String m = t.getMessage();
        Throwable cause = t.getCause();
        if (m != null && cause != null && m.equals(cause.toString())) {
            return null; // new Wrapper(cause): its message is the cause's toString()
        }
        if (m != null && cause != null && cause.getMessage() != null && m.endsWith(": " + cause.getMessage())) {
            m = m.substring(0, m.length() - cause.getMessage().length() - 2); // the cause follows in the chain
        }
        if (t instanceof FileSystemException fs) {
            String file = fs.getFile() == null ? "" : fs.getFile();
            String other = fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile();
            String reason = fs.getReason() == null ? "" : " (" + fs.getReason() + ")";
            String what = t instanceof NoSuchFileException ? "no such file or directory"
                    : t instanceof AccessDeniedException ? "permission denied"
                    : t instanceof FileAlreadyExistsException ? "already exists"
                    : t instanceof DirectoryNotEmptyException ? "directory not empty"
                    : t instanceof NotDirectoryException ? "not a directory"
                    : fs.getReason() != null ? null : t.getClass().getSimpleName();
            return what == null ? file + other + ": " + fs.getReason() : file + other + ": " + what + reason;
        }
        if (m == null || m.isBlank()) {
            return t instanceof UncheckedIOException || t instanceof CommandLine.ExecutionException ? null
                    : t.getClass().getSimpleName();
        }
        if (t instanceof IllegalArgumentException || t instanceof IllegalStateException || t instanceof IOException
                || t instanceof UncheckedIOException || t instanceof ParameterException
                || t instanceof UnsupportedOperationException) {
            return m;
        }
        return t.getClass().getSimpleName() + ": " + m; // e.g. ArithmeticException: / by zero
    }

    private static String firstLine(String s) {
        int n = s.indexOf('\n');
        return (n < 0 ? s : s.substring(0, n)).strip();
    }

    /** {@code e} and its causes, each once. */
    private static List<Throwable> causes(Throwable e) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = e; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            out.add(t);
        }
        return out;
    }
}
