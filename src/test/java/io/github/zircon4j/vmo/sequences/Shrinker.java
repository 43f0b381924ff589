package io.github.zircon4j.vmo.sequences;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Minimises a failing sequence by delta debugging: it keeps any smaller variant for which the
 * predicate still holds ("still fails"), trying in turn to drop chunks of halving size (half the
 * sequence, a quarter, ... single elements), then to replace single elements by simpler ones
 * (smaller arguments), and repeats both until neither changes anything or the replay budget is
 * spent. The result is 1-minimal for dropping: removing any one element makes it pass.
 */
public final class Shrinker<A> {
  private final Predicate<List<A>> fails;
  private final Function<A, List<A>> simpler;
  private final int maxReplays;
  private int replays;

  /** What shrinking found, and how many replays of the predicate it took. */
  public record Result<A>(List<A> minimal, int replays, boolean budgetSpent) {}

  private Shrinker(Predicate<List<A>> fails, Function<A, List<A>> simpler, int maxReplays) {
    this.fails = fails;
    this.simpler = simpler;
    this.maxReplays = maxReplays;
  }

  /**
   * @param failing a sequence for which {@code fails} holds
   * @param fails whether a candidate still fails (the same way); called once per replay
   * @param simpler the candidates to try in place of one element, simplest first (may be empty)
   * @param maxReplays at most this many calls of {@code fails}
   */
  public static <A> Result<A> shrink(
      List<A> failing, Predicate<List<A>> fails, Function<A, List<A>> simpler, int maxReplays) {
    Shrinker<A> shrinker = new Shrinker<>(fails, simpler, maxReplays);
    List<A> current = List.copyOf(failing);
    boolean changed = true;
    while (changed && shrinker.budgetLeft()) {
      List<A> dropped = shrinker.dropChunks(current);
      List<A> simplified = shrinker.simplifyElements(dropped);
      changed = !simplified.equals(current);
      current = simplified;
    }
    return new Result<>(current, shrinker.replays, !shrinker.budgetLeft());
  }

  private boolean budgetLeft() {
    return replays < maxReplays;
  }

  private boolean stillFails(List<A> candidate) {
    replays++;
    return fails.test(candidate);
  }

  private List<A> dropChunks(List<A> sequence) {
    List<A> current = sequence;
    for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && budgetLeft(); chunk /= 2) {
      int from = 0;
      while (from < current.size() && budgetLeft()) {
        List<A> candidate = new ArrayList<>(current.subList(0, from));
        candidate.addAll(current.subList(Math.min(current.size(), from + chunk), current.size()));
        if (stillFails(candidate)) {
          current = List.copyOf(candidate); // try the same position again: it holds new elements
        } else {
          from += chunk;
        }
      }
    }
    return current;
  }

  private List<A> simplifyElements(List<A> sequence) {
    List<A> current = new ArrayList<>(sequence);
    for (int i = 0; i < current.size() && budgetLeft(); i++) {
      boolean improved = true;
      while (improved && budgetLeft()) {
        improved = false;
        for (A candidate : simpler.apply(current.get(i))) {
          if (!budgetLeft()) {
            break;
          }
          List<A> trial = new ArrayList<>(current);
          trial.set(i, candidate);
          if (stillFails(trial)) {
            current = trial;
            improved = true; // simplify the new element further
            break;
          }
        }
      }
    }
    return List.copyOf(current);
  }

  /** Simpler values than {@code value} for a shrinking argument: 0, half of it, one nearer 0. */
  public static List<Long> towardZero(long value) {
    List<Long> candidates = new ArrayList<>();
    for (long candidate : new long[] {0, value / 2, value - Long.signum(value)}) {
      if (candidate != value && !candidates.contains(candidate)) {
        candidates.add(candidate);
      }
    }
    return candidates;
  }

  /** {@link #towardZero(long)} for ints. */
  public static List<Integer> towardZero(int value) {
    List<Integer> candidates = new ArrayList<>();
    for (long candidate : towardZero((long) value)) {
      candidates.add((int) candidate);
    }
    return candidates;
  }

  /** Simpler bit sets than {@code bits}: none, then each set bit cleared on its own. */
  public static List<Integer> fewerBits(int bits) {
    List<Integer> candidates = new ArrayList<>();
    if (bits != 0) {
      candidates.add(0);
    }
    for (int bit = 0; bit < 32 && Integer.bitCount(bits) > 1; bit++) {
      if ((bits & (1 << bit)) != 0) {
        candidates.add(bits & ~(1 << bit));
      }
    }
    return candidates;
  }
}
