package io.github.zircon4j.vmo.sequences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ShrinkerTest {
  /** Fails when a 3 comes somewhere before a 7 and some element is at least 100. */
  private static final Predicate<List<Integer>> THREE_BEFORE_SEVEN_AND_A_BIG_ONE =
      list -> {
        int three = list.indexOf(3);
        return three >= 0
            && list.subList(three, list.size()).contains(7)
            && list.stream().anyMatch(x -> x >= 100);
      };

  @Test
  void shrinksToTheOneMinimalSequenceOfAKnownPredicate() {
    List<Integer> failing = new ArrayList<>();
    Gen gen = new Gen(42);
    for (int i = 0; i < 200; i++) {
      failing.add(gen.between(0, 1_000));
    }
    failing.addAll(List.of(3, 5, 900, 7, 12));
    assertThat(THREE_BEFORE_SEVEN_AND_A_BIG_ONE).accepts(failing);

    Shrinker.Result<Integer> result =
        Shrinker.shrink(
            failing,
            THREE_BEFORE_SEVEN_AND_A_BIG_ONE,
            ShrinkerTest::simplerButNotThreeOrSeven,
            10_000);

    // The big element is simplified down to the smallest value that still fails: exactly 100,
    // which only halving and decrementing (never overshooting below 100) can reach.
    assertThat(result.minimal()).hasSize(3).containsSubsequence(3, 7).contains(100);
    assertThat(result.budgetSpent()).isFalse();
    assertThat(result.replays()).isLessThan(10_000);
  }

  @Test
  void removingAnyOneElementOfTheResultMakesItPass() {
    List<Integer> failing = List.of(1, 3, 2, 150, 4, 7, 7, 3);
    List<Integer> minimal =
        Shrinker.shrink(failing, THREE_BEFORE_SEVEN_AND_A_BIG_ONE, x -> List.of(), 1_000).minimal();
    assertThat(minimal).containsExactly(3, 150, 7);
    for (int i = 0; i < minimal.size(); i++) {
      List<Integer> smaller = new ArrayList<>(minimal);
      smaller.remove(i);
      assertThat(THREE_BEFORE_SEVEN_AND_A_BIG_ONE).rejects(smaller);
    }
  }

  @Test
  void stopsAtTheReplayBudgetAndSaysSo() {
    List<Integer> failing = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      failing.add(i == 10 ? 3 : i == 50 ? 7 : 500);
    }
    Shrinker.Result<Integer> result =
        Shrinker.shrink(failing, THREE_BEFORE_SEVEN_AND_A_BIG_ONE, x -> List.of(), 5);
    assertThat(result.replays()).isEqualTo(5);
    assertThat(result.budgetSpent()).isTrue();
    assertThat(THREE_BEFORE_SEVEN_AND_A_BIG_ONE).accepts(result.minimal());
  }

  @Test
  void simplerValuesMoveTowardZeroAndNeverRepeatTheValue() {
    assertThat(Shrinker.towardZero(10L)).containsExactly(0L, 5L, 9L);
    assertThat(Shrinker.towardZero(-7L)).containsExactly(0L, -3L, -6L);
    assertThat(Shrinker.towardZero(1L)).containsExactly(0L);
    assertThat(Shrinker.towardZero(0L)).isEmpty();
    assertThat(Shrinker.fewerBits(0b1010)).containsExactly(0, 0b1000, 0b0010);
    assertThat(Shrinker.fewerBits(0)).isEmpty();
  }

  @Test
  void aFailingSequenceIsReportedWithItsSeedAndShrunk() {
    // A "system" that fails once it has seen a 13 after a 4: the report names the seed, how to
    // replay it, and the two-action minimal sequence.
    SequenceCheck.Spec<ClosableList, Integer> spec =
        new SequenceCheck.Spec<>() {
          @Override
          public ClosableList newWorld() {
            return new ClosableList();
          }

          @Override
          public Integer next(ClosableList world, Gen gen) {
            return gen.between(0, 20);
          }

          @Override
          public void apply(ClosableList world, Integer action) {
            if (action == 13 && world.contains(4)) {
              throw new AssertionError("13 after 4");
            }
            world.add(action);
          }

          @Override
          public List<Integer> simpler(Integer action) {
            return List.of();
          }
        };
    assertThatThrownBy(
            () -> SequenceCheck.check("ShrinkerTest", "shrinker.test.seed", 200, 50, spec))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("replay it with -Dshrinker.test.seed=0x")
        .hasMessageContaining("shrunk to 2 action(s)")
        .hasMessageContaining("    1. 4\n    2. 13\n")
        .hasMessageEndingWith("minimal sequence's failure: java.lang.AssertionError: 13 after 4");
  }

  /** A list that is its own world (nothing to release). */
  private static final class ClosableList extends ArrayList<Integer> implements AutoCloseable {
    private static final long serialVersionUID = 1;

    @Override
    public void close() {}
  }

  private static List<Integer> simplerButNotThreeOrSeven(Integer value) {
    if (value == 3 || value == 7) {
      return List.of();
    }
    return Shrinker.towardZero(value);
  }
}
