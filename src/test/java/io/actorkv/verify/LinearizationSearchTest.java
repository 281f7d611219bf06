package io.actorkv.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/**
 * The search's memo. Regression: an entry held a copy of the linearized set, a bit per
 * operation of the partition, and ReliabilityIT's checker ran a 1 GiB heap out of memory on a
 * 15,000-operation partition.
 */
class LinearizationSearchTest {

    private static BitSet linearized(int prefix, int... more) {
        BitSet set = new BitSet();
        set.set(0, prefix);
        for (int id : more) {
            set.set(id);
        }
        return set;
    }

    @Test
    void anEntryHoldsOnlyTheWordsPastTheAllLinearizedPrefix() {
        var key = LinearizationSearch.CacheKey.of(linearized(15_000, 15_002, 15_070), "v");

        assertEquals(15_000, key.prefix());
        assertArrayEquals(new long[] {1L << 2, 1L << 6}, key.rest());
    }

    @Test
    void anEntryOfAnAllLinearizedPrefixHoldsNoWords() {
        assertEquals(0, LinearizationSearch.CacheKey.of(linearized(15_000), "v").rest().length);
    }

    @Test
    void entriesAreEqualExactlyWhenTheirSetsAndStatesAre() {
        BitSet grownThenCleared = linearized(100, 101, 5_000);
        grownThenCleared.clear(5_000);
        var key = LinearizationSearch.CacheKey.of(linearized(100, 101), "v");

        assertEquals(key, LinearizationSearch.CacheKey.of(grownThenCleared, "v"));
        assertEquals(key.hashCode(), LinearizationSearch.CacheKey.of(grownThenCleared, "v").hashCode());
        assertNotEquals(key, LinearizationSearch.CacheKey.of(linearized(100, 102), "v"));
        assertNotEquals(key, LinearizationSearch.CacheKey.of(linearized(102), "v"));
        assertNotEquals(key, LinearizationSearch.CacheKey.of(linearized(100, 101), "w"));
    }
}
