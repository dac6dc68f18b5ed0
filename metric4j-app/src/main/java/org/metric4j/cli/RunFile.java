package org.metric4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A run file: the options of {@code train} or {@code compare} kept in a JSON object, given as
 * {@code --config FILE}. Keys are the long option names without their dashes
 * ({@code "dataset"}, {@code "batch-size"}); a list repeats the option ({@code "loss": [...]}); a
 * boolean {@code true} sets a flag. The file's options take the place of {@code --config} on the
 * command line, so options written after it override the file's single values and add to its
 * lists. An optional {@code "command"} key names the subcommand the file is for, and
 * {@code "description"} is free text.
 *
 * <pre>{"command": "compare", "dataset": "fashion-mnist:limit=8000", "backbone": "lenetpp:dim=2",
 *  "loss": ["softmax", "softmax+center:weight=0.01"], "epochs": 3}</pre>
 */
final class RunFile {

    private RunFile() {}

    /**
     * The arguments with every {@code --config FILE} of the subcommand replaced by the file's
     * options.
     *
     * @param root the root command line (its subcommands decide which options are known)
     * @param args the original arguments
     * @return the expanded arguments (the same array when there is no run file)
     * @throws IllegalArgumentException naming the file and the key, for an unreadable file, a
     *     key that is not an option of the subcommand, or a value that is not a string, number,
     *     boolean or list of those
     */
    static String[] expand(CommandLine root, String[] args) {
        int sub = -1;
        for (int i = 0; i < args.length; i++) {
            if (root.getSubcommands().containsKey(args[i])) {
                sub = i;
                break;
            }
        }
        if (sub < 0) {
            return args;
        }
        CommandLine command = root.getSubcommands().get(args[sub]);
        List<String> out = new ArrayList<>(List.of(args).subList(0, sub + 1));
        boolean expanded = false;
        for (int i = sub + 1; i < args.length; i++) {
            String a = args[i];
            String file = null;
            if (a.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--config needs a run file (JSON)");
                }
                file = args[++i];
            } else if (a.startsWith("--config=")) {
                file = a.substring("--config=".length());
            }
            if (file == null) {
                out.add(a);
            } else {
                out.addAll(options(command, args[sub], Path.of(file)));
                expanded = true;
            }
        }
        if (expanded) {
            command.setOverwrittenOptionsAllowed(true);
        }
        return out.toArray(new String[0]);
    }

    /** The command-line form of a run file's options. */
    static List<String> options(CommandLine command, String name, Path file) {
        JsonObject json;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException("--config " + file + ": a run file must hold one JSON object"
                        + " of options, got " + kind(parsed));
            }
            json = parsed.getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + ": cannot read the run file ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("--config " + file + ": not valid JSON: " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            String key = e.getKey();
            JsonElement value = e.getValue();
            if (key.equals("description")) {
                continue;
            }
            if (key.equals("command")) {
                if (!value.isJsonPrimitive() || !value.getAsString().equals(name)) {
                    throw new IllegalArgumentException("--config " + file + ": the run file is for '" + value
                            + "', not for '" + name + "'");
                }
                continue;
            }
            OptionSpec option = command.getCommandSpec().findOption("--" + key);
            if (option == null || key.equals("config")) {
                throw new IllegalArgumentException("--config " + file + ": unknown key '" + key + "' for '" + name
                        + "'; valid keys: " + validKeys(command));
            }
            List<JsonPrimitive> values = new ArrayList<>();
            if (value.isJsonArray()) {
                JsonArray array = value.getAsJsonArray();
                for (JsonElement v : array) {
                    values.add(primitive(file, key, v));
                }
            } else {
                values.add(primitive(file, key, value));
            }
            for (JsonPrimitive v : values) {
                if (v.isBoolean()) {
                    if (v.getAsBoolean()) {
                        out.add("--" + key);
                    }
                } else {
                    out.add("--" + key);
                    out.add(v.isNumber() ? numberText(v) : v.getAsString());
                }
            }
        }
        return out;
    }

    private static JsonPrimitive primitive(Path file, String key, JsonElement v) {
        if (!v.isJsonPrimitive()) {
            throw new IllegalArgumentException("--config " + file + ": key '" + key
                    + "' must be a string, number, boolean or a list of those, got " + kind(v));
        }
        return v.getAsJsonPrimitive();
    }

    private static String numberText(JsonPrimitive v) {
        String s = v.getAsString();
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static String kind(JsonElement e) {
        return e.isJsonObject() ? "an object" : e.isJsonArray() ? "a list" : e.isJsonNull() ? "null" : e.toString();
    }

    private static String validKeys(CommandLine command) {
        TreeSet<String> keys = new TreeSet<>();
        for (OptionSpec o : command.getCommandSpec().options()) {
            String longest = o.longestName();
            if (longest.startsWith("--") && !longest.equals("--help") && !longest.equals("--version")
                    && !longest.equals("--config")) {
                keys.add(longest.substring(2));
            }
        }
        return String.join(", ", keys);
    }
}
