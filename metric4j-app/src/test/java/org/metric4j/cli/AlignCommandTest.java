package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.data.ImageDecoder;
import org.metric4j.data.align.FaceAlignConformance;
import org.metric4j.data.align.FaceAlignConformance.Diff;

/**
 * {@code align --images DIR --landmarks FILE --output DIR} on the align fixture's source images
 * (insightface/align): a landmarks file written from expected.json (the IJB format with a score on
 * every other line, images in a sub-folder) gives, at the same relative paths as PNG, crops within
 * the README's end-to-end limits of {@code aligned_<i>.png} (with the pixel differences cv2 itself shows with the float64 M, {@code diagnostics});
 * a missing image, a malformed line, a wrong number of values and an existing crop without {@code
 * --force} are one line and exit 2, with nothing written.
 */
class AlignCommandTest {

    @TempDir static Path tmp;

    static FaceAlignConformance fixture;
    static Path images;

    @BeforeAll
    static void copyImages() throws Exception {
        fixture = FaceAlignConformance.bundled();
        images = tmp.resolve("images");
        Files.createDirectories(images.resolve("faces"));
        for (JsonObject img : fixture.images()) {
            String file = img.getAsJsonObject("source").get("file").getAsString();
            Files.copy(fixture.dir().resolve(file), images.resolve("faces").resolve(file));
        }
    }

    /** One line per fixture image; every other line carries a faceness score. */
    static List<String> lines() {
        List<String> out = new ArrayList<>();
        for (JsonObject img : fixture.images()) {
            StringBuilder b = new StringBuilder("faces/" + img.getAsJsonObject("source").get("file").getAsString());
            for (float v : FaceAlignConformance.landmarks(img)) {
                b.append(' ').append(v);
            }
            if (img.get("index").getAsInt() % 2 == 1) {
                b.append(" 0.9987");
            }
            out.add(b.toString());
        }
        return out;
    }

    static Path landmarks(String name, List<String> lines) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void alignsEveryImageWithinTheReadmesEndToEndLimits() throws Exception {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("align", "--images", images.toString(), "--landmarks",
                landmarks("lmk.txt", lines()).toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        int n = fixture.images().size();
        assertTrue(r.out().contains("aligned " + n + " faces to 112 x 112"), r.out());
        int identical = 0;
        for (JsonObject img : fixture.images()) {
            String file = img.getAsJsonObject("source").get("file").getAsString();
            Path crop = out.resolve("faces").resolve(file);
            assertTrue(Files.isRegularFile(crop), crop.toString());
            Diff d = Diff.of(ImageDecoder.read(crop), ImageDecoder.read(
                    fixture.dir().resolve(img.getAsJsonObject("norm_crop").get("file").getAsString())));
            assertTrue(d.maxAbs() <= 9 && d.fractionDiffering() <= 0.002, file + ": " + d);
            // our M is within 1e-9 of M_float64_reference: the same pixels as cv2 with that M
            JsonObject cv2 = img.getAsJsonObject("diagnostics")
                    .getAsJsonObject("cv2_warp_with_M_float64_reference_vs_norm_crop");
            assertEquals(cv2.get("max_abs").getAsInt(), d.maxAbs(), file + ": " + d);
            assertEquals(cv2.get("fraction_differing").getAsDouble(), d.fractionDiffering(), 1e-12, file + ": " + d);
            identical += d.maxAbs() == 0 ? 1 : 0;
        }
        assertTrue(identical >= 1, identical + " of " + n + " crops equal aligned_<i>.png");

        CliRun again = CliRun.of("align", "--images", images.toString(), "--landmarks",
                tmp.resolve("lmk.txt").toString(), "--output", out.toString());
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("exists; give --force"), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        CliRun forced = CliRun.of("align", "--images", images.toString(), "--landmarks",
                tmp.resolve("lmk.txt").toString(), "--output", out.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
    }

    @Test
    void helpNamesTheOptionsAndTheirDefaults() {
        CliRun r = CliRun.of("align", "--help");
        assertEquals(0, r.code(), r.err());
        for (String s : new String[] {"--images", "--landmarks", "--output", "--force", "default: 112",
            "ARCFACE, EVAL_IJBC", "default: OPENCV", "norm_crop"}) {
            assertTrue(r.out().contains(s), "align --help should mention " + s + ":\n" + r.out());
        }
    }

    @Test
    void theFloatWarpAndALargerSizeWriteCropsOfThatSize() throws Exception {
        Path out = tmp.resolve("out224");
        CliRun r = CliRun.of("align", "--images", images.toString(), "--landmarks",
                landmarks("lmk224.txt", lines().subList(0, 1)).toString(), "--output", out.toString(),
                "--size", "224", "--warp", "float");
        assertEquals(0, r.code(), r.err());
        var crop = ImageDecoder.read(out.resolve("faces/src_0.png"));
        assertEquals(224, crop.getWidth());
        assertEquals(224, crop.getHeight());
    }

    @Test
    void badInputIsOneLineWithExitCodeTwoAndWritesNothing() throws Exception {
        List<String> good = lines();
        List<String> missing = new ArrayList<>(good);
        missing.set(1, missing.get(1).replace("src_1.png", "nobody.png"));
        List<String> letters = new ArrayList<>(good);
        letters.set(2, letters.get(2).replaceFirst(" [0-9.]+", " x1"));
        List<String> short9 = new ArrayList<>(good);
        short9.set(4, short9.get(4).substring(0, short9.get(4).lastIndexOf(' '))); // line 5 has no score
        Object[][] cases = {
            {"missing.txt", missing, "missing.txt:2: image faces/nobody.png not found under --images"},
            {"letters.txt", letters, "letters.txt:3: field 2 'x1' is not a number"},
            {"short.txt", short9, "short.txt:5: expected a path and 10 numbers (x1 y1 ... x5 y5), optionally a score, got 9 values"},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Path file = landmarks((String) c[0], (List<String>) c[1]);
            Path out = tmp.resolve("never-" + c[0]);
            CliRun r = CliRun.of("align", "--images", images.toString(), "--landmarks", file.toString(),
                    "--output", out.toString());
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().startsWith("metric4j align: error: ") && r.err().contains((String) c[2]),
                    c[0] + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), out + " written");
        }
        CliRun size = CliRun.of("align", "--images", images.toString(), "--landmarks",
                landmarks("ok.txt", good).toString(), "--output", tmp.resolve("x").toString(), "--size", "100");
        assertEquals(2, size.code(), size.err());
        assertTrue(size.err().contains("--size 100: expected a positive multiple of 112 or 128"), size.err());
    }
}
