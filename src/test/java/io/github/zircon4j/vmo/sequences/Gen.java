package io.github.zircon4j.vmo.sequences;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The random choices of one generated sequence, all drawn from one seeded {@link SplittableRandom}:
 * the same seed gives the same choices, so a sequence is reproduced from its seed alone.
 */
public final class Gen {
  private final SplittableRandom random;

  public Gen(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A weight and the value it stands for, for {@link #frequency}. */
  public record Weighted<T>(int weight, Supplier<? extends T> value) {}

  public static <T> Weighted<T> w(int weight, Supplier<? extends T> value) {
    return new Weighted<>(weight, value);
  }

  /** Uniform in {@code [lo, hi]}; {@code lo} when {@code hi < lo}. */
  public int between(int lo, int hi) {
    return hi <= lo ? lo : (int) random.nextLong(lo, (long) hi + 1);
  }

  /** Uniform in {@code [lo, hi]}; {@code lo} when {@code hi < lo}. */
  public long between(long lo, long hi) {
    if (hi <= lo) {
      return lo;
    }
    return hi - lo == Long.MAX_VALUE
        ? lo + random.nextLong(Long.MAX_VALUE)
        : random.nextLong(lo, hi + 1);
  }

  public boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  public <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  @SafeVarargs
  public final <T> T oneOf(T... values) {
    return values[random.nextInt(values.length)];
  }

  /** One of the choices, each with probability weight / total weight. */
  @SafeVarargs
  public final <T> T frequency(Weighted<? extends T>... choices) {
    return frequency(List.of(choices));
  }

  public <T> T frequency(List<? extends Weighted<? extends T>> choices) {
    int total = 0;
    for (Weighted<? extends T> choice : choices) {
      total += choice.weight();
    }
    int roll = random.nextInt(total);
    for (Weighted<? extends T> choice : choices) {
      roll -= choice.weight();
      if (roll < 0) {
        return choice.value().get();
      }
    }
    throw new AssertionError("unreachable: roll within the total weight");
  }
}
