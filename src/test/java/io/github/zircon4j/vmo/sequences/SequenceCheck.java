package io.github.zircon4j.vmo.sequences;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs random action sequences against a system, each from its own printed seed, and on a failure
 * shrinks the sequence ({@link Shrinker}) and fails with the seed, the command-line property that
 * replays it, and the minimal sequence.
 *
 * <p>Without the seed property, {@code count} sequences run, their seeds drawn from a random base
 * seed (printed, and settable through {@code <seedProperty>.base}); with it, exactly that one
 * sequence runs. Each sequence is generated while it runs: {@link Spec#next} sees the state the
 * earlier actions left, so generated arguments can refer to what exists (handles, mappings).
 * Replays while shrinking apply the recorded actions to a fresh world, so an action must tolerate a
 * world in which what it refers to was never made (and do nothing then).
 */
public final class SequenceCheck {
  private SequenceCheck() {}

  /** The system under test and its actions. */
  public interface Spec<W extends AutoCloseable, A> {
    /** A fresh world; closed (releasing everything it holds) after each sequence or replay. */
    W newWorld();

    /** The next action for the current state of {@code world}, from {@code gen}'s choices. */
    A next(W world, Gen gen);

    /** Runs {@code action} on {@code world}; any exception or assertion error is a failure. */
    void apply(W world, A action) throws Exception;

    /** Simpler variants of {@code action} (smaller arguments) for shrinking, simplest first. */
    List<A> simpler(A action);
  }

  /** What a passing check ran. */
  public record Summary(int sequences, long actions, long nanos, long baseSeed) {}

  private static final int MAX_SHRINK_REPLAYS = 5_000;

  /**
   * @param name what the report calls the check
   * @param seedProperty the system property that replays one sequence, e.g. {@code
   *     zircon4j.model.seed}
   * @param count how many sequences to run without that property
   * @param steps the number of actions of each sequence
   */
  public static <W extends AutoCloseable, A> Summary check(
      String name, String seedProperty, int count, int steps, Spec<W, A> spec) {
    String single = System.getProperty(seedProperty);
    String baseProperty = System.getProperty(seedProperty + ".base");
    long base = baseProperty != null ? parseSeed(baseProperty) : new SplittableRandom().nextLong();
    List<Long> seeds = new ArrayList<>();
    if (single != null) {
      seeds.add(parseSeed(single));
    } else {
      SplittableRandom seedSource = new SplittableRandom(base);
      for (int i = 0; i < count; i++) {
        seeds.add(seedSource.nextLong());
      }
      System.out.printf(
          "%s: %,d sequences of %d actions from base seed %s (-D%s.base=%s repeats them)%n",
          name, count, steps, hex(base), seedProperty, hex(base));
    }
    long start = System.nanoTime();
    long actions = 0;
    for (long seed : seeds) {
      List<A> sequence = new ArrayList<>();
      Throwable failure = run(spec, seed, steps, sequence);
      actions += sequence.size();
      if (failure != null) {
        throw shrunkFailure(name, seedProperty, spec, seed, sequence, failure);
      }
    }
    return new Summary(seeds.size(), actions, System.nanoTime() - start, base);
  }

  /** Generates and runs one sequence into {@code sequence}; its failure, or null. */
  private static <W extends AutoCloseable, A> Throwable run(
      Spec<W, A> spec, long seed, int steps, List<A> sequence) {
    Gen gen = new Gen(seed);
    Throwable failure = null;
    W world = spec.newWorld();
    try {
      for (int i = 0; i < steps; i++) {
        A action;
        try {
          action = spec.next(world, gen);
        } catch (RuntimeException e) {
          // A bug of the generator, not of the system: nothing to shrink.
          closeWorld(world, e);
          throw new IllegalStateException(
              "generating action " + (i + 1) + " of the sequence of seed " + hex(seed) + " failed",
              e);
        }
        sequence.add(action);
        spec.apply(world, action);
      }
    } catch (Exception | AssertionError e) {
      failure = e;
    }
    return closeWorld(world, failure);
  }

  /** Replays {@code sequence} on a fresh world; its failure, or null. */
  public static <W extends AutoCloseable, A> Throwable replay(Spec<W, A> spec, List<A> sequence) {
    Throwable failure = null;
    W world = spec.newWorld();
    try {
      for (A action : sequence) {
        spec.apply(world, action);
      }
    } catch (Exception | AssertionError e) {
      failure = e;
    }
    return closeWorld(world, failure);
  }

  private static Throwable closeWorld(AutoCloseable world, Throwable failure) {
    try {
      world.close();
    } catch (Exception | AssertionError e) {
      if (failure == null) {
        return e;
      }
      failure.addSuppressed(e);
    }
    return failure;
  }

  private static <W extends AutoCloseable, A> AssertionError shrunkFailure(
      String name,
      String seedProperty,
      Spec<W, A> spec,
      long seed,
      List<A> sequence,
      Throwable failure) {
    Class<?> kind = failure.getClass();
    Throwable[] last = {failure};
    Shrinker.Result<A> shrunk =
        Shrinker.shrink(
            sequence,
            candidate -> {
              Throwable t = replay(spec, candidate);
              if (t != null && t.getClass() == kind) {
                last[0] = t;
                return true;
              }
              return false;
            },
            spec::simpler,
            MAX_SHRINK_REPLAYS);
    // The last failing replay is not necessarily of the minimal sequence: replay that once more.
    Throwable minimalFailure = replay(spec, shrunk.minimal());
    if (minimalFailure == null) {
      minimalFailure = last[0];
    }
    StringBuilder report = new StringBuilder();
    report
        .append(name)
        .append(": the sequence of seed ")
        .append(hex(seed))
        .append(" failed at action ")
        .append(sequence.size())
        .append(" (replay it with -D")
        .append(seedProperty)
        .append('=')
        .append(hex(seed))
        .append(")\n  first failure: ")
        .append(failure)
        .append("\n  shrunk to ")
        .append(shrunk.minimal().size())
        .append(" action(s) in ")
        .append(shrunk.replays())
        .append(" replays")
        .append(shrunk.budgetSpent() ? " (replay budget spent: may not be minimal)" : "")
        .append(":\n");
    for (int i = 0; i < shrunk.minimal().size(); i++) {
      report.append("    ").append(i + 1).append(". ").append(shrunk.minimal().get(i)).append('\n');
    }
    report.append("  minimal sequence's failure: ").append(minimalFailure);
    return new AssertionError(report.toString(), minimalFailure);
  }

  public static String hex(long seed) {
    return String.format("0x%016x", seed);
  }

  /** A seed as printed ({@code 0x} and up to 16 hex digits) or in decimal. */
  public static long parseSeed(String text) {
    String trimmed = text.trim();
    if (trimmed.startsWith("0x") || trimmed.startsWith("0X")) {
      return Long.parseUnsignedLong(trimmed.substring(2), 16);
    }
    return Long.parseLong(trimmed);
  }
}
