package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metric4j pack}: the fixture's face2rec2 files from its {@code train.lst}, the im2rec files
 * from the folder, and one clear line with exit code 2 for bad input, existing files untouched.
 */
class PackCommandTest {

    @TempDir Path tmp;

    private static Path recordio() throws Exception {
        return Path.of(PackCommandTest.class.getResource("/insightface/recordio/expected.json").toURI()).getParent();
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void face2rec2FromTheFixtureListIsTheFixture() throws Exception {
        Path fx = recordio();
        Path rec = tmp.resolve("train.rec");
        CliRun r = CliRun.of("pack", "--images", fx.resolve("image_folder").toString(), "--output", rec.toString(),
                "--list", fx.resolve("face2rec2/train.lst").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("packed 12 images of 3 identities (16 records, face2rec2 layout)"), r.out());
        assertEquals(sha256(fx.resolve("face2rec2/train.rec")), sha256(rec));
        assertEquals(sha256(fx.resolve("face2rec2/train.idx")), sha256(tmp.resolve("train.idx")));
        try (var s = Files.list(tmp)) {
            assertEquals(2, s.count(), "no temporary files left");
        }
    }

    @Test
    void im2recAndRecBuilderFromTheFolderAreTheFixtures() throws Exception {
        Path fx = recordio();
        for (String layout : new String[] {"im2rec", "rec_builder"}) {
            Path out = Files.createDirectories(tmp.resolve(layout));
            CliRun r = CliRun.of("pack", "--images", fx.resolve("image_folder").toString(), "--output",
                    out.resolve("train.rec").toString(), "--layout", layout);
            assertEquals(0, r.code(), r.err());
            for (String f : layout.equals("im2rec") ? new String[] {"train.rec", "train.idx"}
                    : new String[] {"train.rec", "train.idx", "property"}) {
                assertEquals(sha256(fx.resolve(layout).resolve(f)), sha256(out.resolve(f)), layout + "/" + f);
            }
        }
    }

    @Test
    void badInputIsOneLineWithExitCode2AndKeepsWhatExists() throws Exception {
        Path fx = recordio();
        String images = fx.resolve("image_folder").toString();
        Path rec = tmp.resolve("train.rec");

        CliRun missing = CliRun.of("pack", "--images", tmp.resolve("nope").toString(), "--output", rec.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--images " + tmp.resolve("nope") + ": not a directory"), missing.err());

        Path empty = Files.createDirectories(tmp.resolve("empty/a"));
        CliRun none = CliRun.of("pack", "--images", empty.getParent().toString(), "--output", rec.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no images (.jpeg, .jpg, .png) found"), none.err());

        Files.writeString(rec, "keep");
        CliRun exists = CliRun.of("pack", "--images", images, "--output", rec.toString());
        assertEquals(2, exists.code());
        assertTrue(exists.err().contains(rec + " exists; give --force to replace it"), exists.err());

        Path lst = tmp.resolve("bad.lst");
        Files.writeString(lst, "1\t0_0_0000000/0_0.jpg\t0\n1\t0_0_0000000/gone.jpg\t0\n");
        CliRun badLine = CliRun.of("pack", "--images", images, "--output", rec.toString(), "--list", lst.toString(),
                "--force");
        assertEquals(2, badLine.code());
        assertTrue(badLine.err().contains(lst + ":2: image 0_0_0000000/gone.jpg not found"), badLine.err());
        assertEquals(1, badLine.err().strip().lines().count(), badLine.err());
        assertArrayEquals("keep".getBytes(), Files.readAllBytes(rec), "the existing output is untouched");

        CliRun layout = CliRun.of("pack", "--images", images, "--output", tmp.resolve("x.rec").toString(),
                "--layout", "lmdb");
        assertEquals(2, layout.code());
        assertTrue(layout.err().contains("--layout lmdb: unknown"), layout.err());
    }
}
