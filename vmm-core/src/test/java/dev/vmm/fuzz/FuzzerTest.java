// SPDX-License-Identifier: Apache-2.0
package dev.vmm.fuzz;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fuzzer itself: it must find a planted defect, and run its whole budget when there is none. */
class FuzzerTest {
    @Test
    void findsADefectThatNeedsABoundaryValue() {
        // A length field read as a signed int: a classic that only a boundary value reaches.
        AssertionError failure = assertThrows(AssertionError.class, () -> Fuzzer.named("planted-defect").seed(new byte[8]).inputs(50_000)
                .run(input -> {
                    if (input.length >= 4 && (input[0] & 0xff | (input[1] & 0xff) << 8 | (input[2] & 0xff) << 16 | input[3] << 24) < 0) {
                        throw new NegativeArraySizeException("negative length");
                    }
                }));
        assertTrue(failure.getMessage().contains("target/fuzz-crashes/planted-defect"), failure.getMessage());
    }

    @Test
    void runsItsBudgetAndCountsTheSeeds() {
        Fuzzer.Result result = Fuzzer.named("no-defect").seed(new byte[] {1, 2, 3}).seed(new byte[0]).inputs(1000).run(input -> { });
        assertEquals(1002, result.executed());
        assertEquals(0, result.regressions());
    }
}
