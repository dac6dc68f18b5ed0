package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link VerificationBin}: both pickle layouts give the same set; a wrong file is one error naming it and what it holds. */
class VerificationBinTest {

    @TempDir Path dir;

    private static Path fixture(String name) throws Exception {
        return Path.of(VerificationBinTest.class.getResource("/insightface/verification/" + name).toURI());
    }

    @Test
    void python2AndPython3PicklesHoldTheSameImagesAndPairs() throws Exception {
        VerificationBin py2 = VerificationBin.read(fixture("synth_py2.bin"));
        VerificationBin py3 = VerificationBin.read(fixture("synth_py3.bin"));
        assertEquals(600, py2.size());
        assertEquals(300, py2.pairs());
        assertEquals("synth_py2", py2.name());
        assertArrayEquals(py3.issame(), py2.issame());
        for (int i = 0; i < py2.size(); i++) {
            assertArrayEquals(py3.image(i), py2.image(i), "image " + i);
        }
        // a py2 BINSTRING holds bytes >= 0x80: they come out as bytes, not as chars
        byte[] jpeg = py2.image(0);
        assertEquals((byte) 0xff, jpeg[0]);
        assertEquals((byte) 0xd8, jpeg[1]);
    }

    private String error(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        IOException e = assertThrows(IOException.class, () -> VerificationBin.read(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aJpegIsNotAPickle() throws Exception {
        byte[] jpeg = VerificationBin.read(fixture("synth_py3.bin")).image(0);
        String m = error("photo.bin", jpeg);
        assertTrue(m.contains("not a verification .bin pickle") && m.contains("starts with bytes ff d8 ff"), m);
    }

    @Test
    void anEmptyOrTruncatedFileIsNamed() throws Exception {
        assertTrue(error("empty.bin", new byte[0]).contains("the file is empty"));
        byte[] head = Arrays.copyOf(Files.readAllBytes(fixture("synth_py2.bin")), 5000);
        assertTrue(error("cut.bin", head).contains("truncated"), error("cut.bin", head));
    }

    @Test
    void otherPicklesSayWhatTheyHold() throws Exception {
        HexFormat hex = HexFormat.of();
        // pickle.dumps({'x': 1}, protocol=2)
        assertTrue(error("dict.bin", hex.parseHex("80027d710058010000007871014b01732e"))
                .endsWith("but the pickle holds a dict of 1"));
        // pickle.dumps((['a', 'b'], [True]), protocol=2): str, not bytes
        assertTrue(error("str.bin", hex.parseHex("80025d71002858010000006171015801000000627102655d710388618671042e"))
                .endsWith("but image 0 is a str"));
        // pickle.dumps((['a'], [True]), protocol=2): one image for one pair
        assertTrue(error("odd.bin", hex.parseHex("80025d71005801000000617101615d710288618671032e"))
                .endsWith("but 1 images for 1 pairs (2 per pair expected)"));
        // pickle.dumps((b'\xff\x00' * 3,), protocol=2): a class reference (_codecs.encode)
        assertTrue(error("class.bin", hex.parseHex("8002635f636f646563730a656e636f64650a71005809000000c3bf00c3bf00c3bf"
                + "00710158060000006c6174696e3171028671035271048571052e")).contains("a class reference"));
    }
}
