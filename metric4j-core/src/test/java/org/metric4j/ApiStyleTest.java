package org.metric4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One API style (issue #11, part 4): no public method or constructor of a public core class takes
 * a {@code boolean} or two adjacent {@code double}s; such options go through a builder or an enum.
 *
 * <p>Exempt: methods that override a method declared by a DJL supertype (their signature is
 * DJL's, e.g. {@code AbstractBlock.forwardInternal(..., boolean training, ...)}), and the
 * canonical constructors of records (a record's components are named by its accessors; the
 * result records are built by the library, not by users).
 */
class ApiStyleTest {

    @Test
    void noPublicMethodTakesABooleanOrTwoAdjacentDoubles() {
        List<String> violations = new ArrayList<>();
        for (Class<?> type : publicCoreClasses()) {
            violations.addAll(violations(type));
        }
        assertTrue(violations.isEmpty(), violations.size() + " public signatures take a boolean or two adjacent"
                + " doubles (use a builder or an enum):\n  " + String.join("\n  ", violations));
    }

    @Test
    void theScanFindsAnOffendingSignature() {
        assertEquals(List.of(Offender.class.getName() + ".flag(boolean)",
                Offender.class.getName() + ".range(int, double, double)"), violations(Offender.class));
    }

    @Test
    void theScanSeesTheCore() {
        Set<String> names = publicCoreClasses().stream().map(Class::getSimpleName).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("TripletMarginLoss", "KnnSearch", "PairVerification", "PxKSampler")),
                names.toString());
    }

    /** A fixture the scan must flag (two offences) and must not flag (the rest). */
    public static final class Offender {
        public void flag(boolean on) {}

        public void range(int n, double low, double high) {}

        public void fine(double low, int n, double high, boolean[] mask) {}

        private void hidden(boolean on) {}
    }

    /** Every public class (top level or nested in public classes) of the core's main classes. */
    static List<Class<?>> publicCoreClasses() {
        List<Class<?>> out = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.metric4j")) {
            Class<?> type = c.reflect();
            if (isPubliclyVisible(type) && !type.isSynthetic()) {
                out.add(type);
            }
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    private static boolean isPubliclyVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    static List<String> violations(Class<?> type) {
        List<Executable> members = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge() && !overridesDjl(m)) {
                members.add(m);
            }
        }
        for (Constructor<?> k : type.getDeclaredConstructors()) {
            if (Modifier.isPublic(k.getModifiers()) && !k.isSynthetic() && !isCanonical(type, k)) {
                members.add(k);
            }
        }
        Set<String> out = new TreeSet<>();
        for (Executable e : members) {
            if (offends(e.getParameterTypes())) {
                out.add(type.getName() + (e instanceof Method ? "." + e.getName() : "") + "("
                        + Arrays.stream(e.getParameterTypes()).map(Class::getSimpleName)
                                .collect(Collectors.joining(", ")) + ")");
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean offends(Class<?>[] params) {
        for (int i = 0; i < params.length; i++) {
            if (params[i] == boolean.class || params[i] == Boolean.class) {
                return true;
            }
            if (i > 0 && isDouble(params[i]) && isDouble(params[i - 1])) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDouble(Class<?> t) {
        return t == double.class || t == Double.class;
    }

    private static boolean isCanonical(Class<?> type, Constructor<?> k) {
        return type.isRecord() && Arrays.equals(k.getParameterTypes(), Arrays.stream(type.getRecordComponents())
                .map(rc -> rc.getType()).toArray(Class<?>[]::new));
    }

    /** Whether a DJL class or interface above the method's class declares the same signature. */
    private static boolean overridesDjl(Method m) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        todo.add(m.getDeclaringClass());
        while (!todo.isEmpty()) {
            Class<?> t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (t != m.getDeclaringClass() && t.getName().startsWith("ai.djl.")) {
                try {
                    t.getDeclaredMethod(m.getName(), m.getParameterTypes());
                    return true;
                } catch (NoSuchMethodException ignored) {
                    // keep looking
                }
            }
            if (t.getSuperclass() != null) {
                todo.add(t.getSuperclass());
            }
            todo.addAll(Arrays.asList(t.getInterfaces()));
        }
        return false;
    }
}
