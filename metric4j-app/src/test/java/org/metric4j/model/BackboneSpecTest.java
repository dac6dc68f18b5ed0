package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Backbone specs: each accepted form parses to InsightFace's constructor arguments, prints back
 * canonically and round-trips; the fixture factory maps {@code arch} fields; bad specs fail
 * with a message naming the spec, the bad part and the accepted forms.
 */
class BackboneSpecTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        // spec; family; counts; scale; dim; dropout; canonical
        "iresnet:depth=18,dim=512; IRESNET; 2-2-2-2; 0; 512; 0.0; iresnet:depth=18,dim=512",
        "iresnet:depth=34; IRESNET; 3-4-6-3; 0; 512; 0.0; iresnet:depth=34,dim=512",
        "iresnet:depth=50,dim=512; IRESNET; 3-4-14-3; 0; 512; 0.0; iresnet:depth=50,dim=512",
        "iresnet:depth=100,dim=256; IRESNET; 3-13-30-3; 0; 256; 0.0; iresnet:depth=100,dim=256",
        "iresnet:depth=200,dim=512; IRESNET; 6-26-60-6; 0; 512; 0.0; iresnet:depth=200,dim=512",
        "iresnet:layers=1-1-1-1,dim=64; IRESNET; 1-1-1-1; 0; 64; 0.0; iresnet:layers=1-1-1-1,dim=64",
        "iresnet:layers=1-1-1-1,dim=64,dropout=0.2; IRESNET; 1-1-1-1; 0; 64; 0.2; iresnet:layers=1-1-1-1,dim=64,dropout=0.2",
        "iresnet:dim=128,layers=2-2-2-2; IRESNET; 2-2-2-2; 0; 128; 0.0; iresnet:depth=18,dim=128",
        "mobilefacenet; MOBILEFACENET; 1-4-6-2; 2; 512; 0.0; mobilefacenet:dim=512",
        "mobilefacenet:dim=512; MOBILEFACENET; 1-4-6-2; 2; 512; 0.0; mobilefacenet:dim=512",
        "mobilefacenet:dim=128,blocks=1-4-6-2,scale=2; MOBILEFACENET; 1-4-6-2; 2; 128; 0.0; mobilefacenet:dim=128",
        "mobilefacenet:dim=512,blocks=2-2-2-2,scale=1; MOBILEFACENET; 2-2-2-2; 1; 512; 0.0; mobilefacenet:dim=512,blocks=2-2-2-2,scale=1",
        "mobilefacenet:scale=4,blocks=2-8-12-4; MOBILEFACENET; 2-8-12-4; 4; 512; 0.0; mobilefacenet-large:dim=512",
        "mobilefacenet-large:dim=512; MOBILEFACENET; 2-8-12-4; 4; 512; 0.0; mobilefacenet-large:dim=512",
        "mobilefacenet-large; MOBILEFACENET; 2-8-12-4; 4; 512; 0.0; mobilefacenet-large:dim=512",
    })
    void parsesEachForm(String spec, BackboneSpec.Family family, String counts, int scale, int dim, float dropout,
            String canonical) {
        BackboneSpec s = BackboneSpec.parse(spec);
        assertEquals(family, s.family(), spec);
        assertEquals(counts, String.join("-", s.counts().stream().map(String::valueOf).toList()), spec);
        assertEquals(scale, s.scale(), spec);
        assertEquals(dim, s.numFeatures(), spec);
        assertEquals(dropout, s.dropout(), spec);
        assertEquals(canonical, s.toString(), spec);
        assertEquals(s, BackboneSpec.parse(s.toString()), spec + " round trip");
    }

    @Test
    void buildsTheBlocksItDescribes() {
        IResNet r = (IResNet) BackboneSpec.parse("iresnet:depth=34,dim=128,dropout=0.4").build();
        assertArrayEquals(new int[] {3, 4, 6, 3}, r.layers());
        assertEquals(128, r.numFeatures());
        assertEquals(0.4f, r.dropout());
        MobileFaceNet m = (MobileFaceNet) BackboneSpec.parse("mobilefacenet-large:dim=256").build();
        assertArrayEquals(new int[] {2, 8, 12, 4}, m.blocks());
        assertEquals(4, m.scale());
        assertEquals(256, m.numFeatures());
    }

    @Test
    void theArchFactoryTakesFixtureFields() {
        assertEquals(BackboneSpec.parse("iresnet:layers=1-1-1-1,dim=64"),
                BackboneSpec.fromArch("iresnet", List.of(1, 1, 1, 1), null, 64, 0.0));
        assertEquals(BackboneSpec.parse("mobilefacenet:dim=512"),
                BackboneSpec.fromArch("mobilefacenet", List.of(1, 4, 6, 2), 2, 512, null));
        assertEquals(BackboneSpec.parse("mobilefacenet-large"),
                BackboneSpec.fromArch("mobilefacenet", List.of(2, 8, 12, 4), 4, 512, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneSpec.fromArch("resnet", List.of(1, 1, 1, 1), null, 64, null));
        assertEquals("arch type must be iresnet or mobilefacenet, got resnet", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BackboneSpec.fromArch("iresnet", List.of(1, 1, 1, 1), 2, 64, null));
        assertEquals("arch type iresnet takes no scale, got scale=2", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "resnet:depth=50; unknown type 'resnet'",
        "iresnet:depth=51; iresnet depth must be one of 18, 34, 50, 100, 200, got 51",
        "iresnet:dim=512; iresnet needs exactly one of depth and layers",
        "iresnet:depth=50,layers=1-1-1-1; iresnet needs exactly one of depth and layers",
        "iresnet:layers=1-1-1; layers=1-1-1 is not 4 counts a-b-c-d",
        "iresnet:layers=1-0-1-1; backbone counts must be 4 block counts >= 1, got [1, 0, 1, 1]",
        "iresnet:depth=50,dim=x; dim=x is not an integer",
        "iresnet:depth=50,dropout=1; iresnet needs scale 0 and dropout in [0, 1), got scale=0, dropout=1.0",
        "iresnet:depth=50,scale=2; unknown key 'scale' (this type takes depth, layers, dim, dropout)",
        "iresnet:depth=50,depth=18; key depth given twice",
        "iresnet:depth; 'depth' is not key=value",
        "mobilefacenet:dropout=0.1; unknown key 'dropout' (this type takes dim, blocks, scale)",
        "mobilefacenet-large:scale=2; unknown key 'scale' (this type takes dim)",
        "mobilefacenet:scale=0; mobilefacenet needs scale >= 1 and dropout 0, got scale=0, dropout=0.0",
        "mobilefacenet:dim=0; backbone numFeatures must be >= 1, got 0",
    })
    void rejectsBadSpecsNamingSpecPartAndForms(String spec, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackboneSpec.parse(spec));
        assertEquals("backbone spec '" + spec + "': " + problem + "; expected one of " + BackboneSpec.FORMS,
                e.getMessage());
        assertTrue(BackboneSpec.FORMS.contains("mobilefacenet-large[:dim=512]"));
    }
}
