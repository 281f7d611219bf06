package io.actorkv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The characters of values one answer may carry: values and siblings take them; once one does not fit, no more. */
class ValueBudgetTest {

  @Test
  void resultsTakeTheirValuesUntilOneDoesNotFitThenTheBudgetIsSpent() {
    ValueBudget budget = new ValueBudget(10);
    Map<String, Object> six = Map.of("status", 200, "value", "AAAAAA");
    assertSame(six, budget.take(six));
    assertFalse(budget.spent());
    Map<String, Object> tooMuch = budget.take(Map.of("status", 200, "value", "AAAAAAAA"));
    assertEquals(413, tooMuch.get("status"));
    assertEquals("response_too_large", tooMuch.get("error"));
    assertTrue(budget.spent(), "four characters are left, but no later GET is made");
    Map<String, Object> counted = Map.of("status", 200, "value", 5L);
    assertSame(counted, budget.take(counted), "a counter's number is no value to count");
  }

  @Test
  void siblingsTakeTheirValuesToo() {
    ValueBudget budget = new ValueBudget(10);
    Map<String, Object> siblings = Map.of("status", 300, "siblings",
        List.of(Map.of("value", "AAAA"), Map.of("value", "AAAAAAAA")));
    assertEquals(413, budget.take(siblings).get("status"));
  }
}
