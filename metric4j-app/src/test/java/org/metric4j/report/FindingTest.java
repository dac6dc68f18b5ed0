package org.metric4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Finding} and {@link ResultsSummary}: verdicts and sentences from numbers. */
class FindingTest {

    private static final Map<String, Map<String, Double>> MEANS = Map.of(
            "softmax", Map.of("angle_ratio", 0.42, "openset_tar_at_far_1e-2", 0.30, "ncc_accuracy", 0.85),
            "arcface", Map.of("angle_ratio", 0.21, "openset_tar_at_far_1e-2", 0.25, "ncc_accuracy", 0.83),
            "cosface", Map.of("angle_ratio", 0.30, "ncc_accuracy", 0.80));
    private static final Map<String, Map<String, Double>> STDS = Map.of(
            "softmax", Map.of("angle_ratio", 0.03, "openset_tar_at_far_1e-2", 0.02, "ncc_accuracy", 0.01),
            "arcface", Map.of("angle_ratio", 0.02, "openset_tar_at_far_1e-2", Double.NaN, "ncc_accuracy", 0.01),
            "cosface", Map.of("angle_ratio", 0.01, "ncc_accuracy", 0.02));

    @Test
    void lowerAndHigherIsBetter() {
        Finding.Verdict v = new Finding("arcface", "angle_ratio", "softmax").check(MEANS, STDS);
        assertTrue(v.holds());
        assertEquals("arcface has a lower angle_ratio than softmax: 0.2100 \u00b1 0.020 against 0.4200 \u00b1 0.030 (holds)",
                v.sentence());
        Finding.Verdict w = new Finding("arcface", "openset_tar_at_far_1e-2", "softmax").check(MEANS, STDS);
        assertFalse(w.holds());
        assertEquals("arcface does not have a higher openset_tar_at_far_1e-2 than softmax: 0.2500 against 0.3000 \u00b1 "
                + "0.020 (does not hold)", w.sentence());
        assertTrue(Finding.lowerIsBetter("intra_angle_deg") && Finding.lowerIsBetter("openset_eer"));
        assertFalse(Finding.lowerIsBetter("inter_angle_deg"));
    }

    @Test
    void aMissingValueIsNotAHold() {
        Finding.Verdict v = new Finding("cosface", "openset_tar_at_far_1e-2", "softmax").check(MEANS, STDS);
        assertFalse(v.holds());
        assertTrue(v.sentence().contains("cosface has no value") && v.sentence().contains("not checked"), v.sentence());
    }

    @Test
    void summaryReadsTheFindingsAndTheWinners() {
        List<Comparison.Entry> entries = List.of(new Comparison.Entry("softmax", "lenetpp:dim=3", List.of("softmax")),
                new Comparison.Entry("arcface", "lenetpp:dim=3", List.of("arcface")),
                new Comparison.Entry("cosface", "lenetpp:dim=3", List.of("cosface")));
        List<String> p = ResultsSummary.paragraphs(entries, MEANS, STDS, List.of(
                new Finding("arcface", "angle_ratio", "softmax"), new Finding("arcface", "openset_tar_at_far_1e-2", "softmax")));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("Findings: 1 of 2 hold (those that do not are marked 'does not hold'): arcface has "
                + "a lower angle_ratio"), p.get(0));
        assertTrue(p.get(1).startsWith("Best: openset_tar_at_far_1e-2: softmax with 0.3000 \u00b1 0.020, 0.0500 higher than "
                + "arcface (0.2500)"), p.get(1));
        assertTrue(p.get(1).contains("ncc_accuracy: softmax with 0.8500 \u00b1 0.010, 0.0200 higher than arcface"), p.get(1));
        assertTrue(p.get(1).contains("angle_ratio: arcface with 0.2100 \u00b1 0.020, 0.0900 lower than cosface"), p.get(1));
    }

    @Test
    void theCandidateBestOnValidationIsComparedOnTest() {
        Map<String, Map<String, Double>> means = Map.of(
                "m=0", Map.of("val_auc", 0.80, "verification_auc", 0.81),
                "m=0.2", Map.of("val_auc", 0.90, "verification_auc", 0.84),
                "m=0.4", Map.of("val_auc", 0.85, "verification_auc", 0.88));
        List<String> labels = List.of("m=0", "m=0.2", "m=0.4");
        Finding f = Finding.parse("2-3 > 1 on verification_auc chosen by val_auc", labels);
        assertEquals(List.of("m=0.2", "m=0.4"), f.candidates());
        assertEquals("m=0.2", f.chosen(means), "best on validation, not on test");
        Finding.Verdict v = f.check(means, Map.of());
        assertTrue(v.holds());
        assertEquals("m=0.2", v.run());
        assertEquals("m=0.2 (chosen among 2 runs on val_auc: 0.9000) has a higher verification_auc than m=0: 0.8400 "
                + "against 0.8100 (holds)", v.sentence());
        // the same by labels; a lower-is-better selection metric picks the smallest
        assertEquals(new Finding("m=0.4", "verification_auc", "m=0"), Finding.parse("m=0.4 > m=0 on verification_auc", labels));
        Map<String, Map<String, Double>> eer = Map.of("m=0", Map.of("val_eer", 0.2), "m=0.2", Map.of("val_eer", 0.3),
                "m=0.4", Map.of("val_eer", 0.1));
        assertEquals("m=0.4", Finding.parse("1-3 > 1 on verification_auc chosen by val_eer", labels).chosen(eer));
    }

    @Test
    void badTextNamesWhatWasExpected() {
        List<String> labels = List.of("softmax", "arcface");
        for (String bad : new String[] {"arcface softmax", "arcface > softmax", "3 > 1 on auc", "0-1 > 1 on auc",
            "1-2 > 1 on auc", "1 > 1-2 on auc", "cosface > softmax on auc", "2 > 1 on auc chosen by "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Finding.parse(bad, labels), bad);
            assertTrue(e.getMessage().startsWith("finding '" + bad + "'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Finding.parse("1-2 > 1 on auc", labels))
                .getMessage().contains("need 'chosen by METRIC'"));
    }
}
