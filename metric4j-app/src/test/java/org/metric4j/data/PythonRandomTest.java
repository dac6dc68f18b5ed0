package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link PythonRandom} against values printed by CPython 3 ({@code /usr/bin/python3}). */
class PythonRandomTest {

    @Test
    void seed100GivesCPythonsFirstWords() {
        PythonRandom r = new PythonRandom(100);
        assertEquals(List.of(625644691L, 1973661107L, 1953896601L),
                List.of(r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)));
    }

    @Test
    void theStateRegeneratesAfter624WordsAsCPythons() {
        PythonRandom r = new PythonRandom(7);
        long last = 0;
        for (int i = 0; i < 700; i++) {
            last = r.getrandbits(32);
        }
        assertEquals(72291700L, last, "random.seed(7): 700th getrandbits(32)");
        assertEquals(20L, r.getrandbits(5), "then getrandbits(5)");
    }

    @Test
    void shuffleIsCPythonsShuffle() {
        List<Integer> twelve = new ArrayList<>(IntStream.range(0, 12).boxed().toList());
        new PythonRandom(100).shuffle(twelve);
        assertEquals(List.of(1, 4, 9, 0, 3, 8, 5, 6, 11, 10, 7, 2), twelve, "im2rec's order of 12 files");
        List<Integer> many = new ArrayList<>(IntStream.range(0, 1000).boxed().toList());
        new PythonRandom(100).shuffle(many);
        assertEquals(List.of(342, 471, 929, 100, 543), many.subList(0, 5));
        assertEquals(List.of(789, 974, 465, 470, 149), many.subList(995, 1000));
    }
}
