package io.github.zircon4j.vmo.bench.runner;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.openjdk.jmh.util.ListStatistics;

/**
 * A value with the half-width of its 99.9% confidence interval (NaN when unknown), and the
 * statistics that produce one. Means and their Student-t intervals come from JMH's own {@link
 * ListStatistics}, the same computation as JMH's reported score error.
 */
record Stat(double value, double err) {
  static final double CONFIDENCE = 0.999;
  static final Stat UNKNOWN = new Stat(Double.NaN, Double.NaN);

  /** The mean of {@code samples} with its 99.9% Student-t interval. */
  static Stat mean(List<Double> samples) {
    if (samples.isEmpty()) {
      return UNKNOWN;
    }
    ListStatistics s =
        new ListStatistics(samples.stream().mapToDouble(Double::doubleValue).toArray());
    return new Stat(s.getMean(), samples.size() < 2 ? Double.NaN : s.getMeanErrorAt(CONFIDENCE));
  }

  static Stat exact(double value) {
    return new Stat(value, Double.NaN);
  }

  /** this / other, the error propagated from both relative errors. */
  Stat over(Stat other) {
    double r = value / other.value;
    return new Stat(r, r * Math.hypot(err / value, other.err / other.value));
  }

  static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static final int BOOTSTRAP = 20_000;

  /**
   * Java over C from the fastest iterations: the fastest Java iteration of all forks over the
   * fastest C sample of all the C runs around them. On a shared machine interference only ever adds
   * time, and it comes and goes within seconds, so each side's fastest iteration is its cost
   * without interference (docs/benchmarks.md says more). The error is the half-width of a 99.9%
   * bootstrap interval over rounds (a round: one fork and the C run before it; the last C run is
   * always in), so a ratio that hangs on one lucky round shows a wide interval.
   *
   * @param forks each fork's measured iterations, in the order they ran
   * @param cRuns each C run's samples: one before each fork and one after the last
   */
  static Stat fastestRatio(List<List<Double>> forks, List<List<Double>> cRuns) {
    int n = forks.size();
    if (n == 0 || cRuns.size() != n + 1) {
      return UNKNOWN;
    }
    double[] javaMin = forks.stream().mapToDouble(Stat::min).toArray();
    double[] cMin = cRuns.stream().mapToDouble(Stat::min).toArray();
    double ratio =
        Arrays.stream(javaMin).min().orElseThrow() / Arrays.stream(cMin).min().orElseThrow();
    if (n < 2) {
      return exact(ratio);
    }
    Random random = new Random(42); // the same interval on every run of the same data
    double[] resampled = new double[BOOTSTRAP];
    for (int b = 0; b < BOOTSTRAP; b++) {
      double j = Double.POSITIVE_INFINITY;
      double c = cMin[n];
      for (int k = 0; k < n; k++) {
        int i = random.nextInt(n);
        j = Math.min(j, javaMin[i]);
        c = Math.min(c, cMin[i]);
      }
      resampled[b] = j / c;
    }
    Arrays.sort(resampled);
    double lo = resampled[(int) Math.round(BOOTSTRAP * (1 - CONFIDENCE) / 2)];
    double hi = resampled[(int) Math.round(BOOTSTRAP * (1 + CONFIDENCE) / 2) - 1];
    return new Stat(ratio, Math.max(hi - ratio, ratio - lo));
  }

  /**
   * Java over C from means, paired: each fork's mean over the mean of the C runs just before and
   * just after it, one ratio per fork; the mean of those ratios with its confidence interval.
   */
  static Stat pairedMeans(List<Double> forkScores, List<List<Double>> cRuns) {
    int n = forkScores.size();
    if (n == 0 || cRuns.size() != n + 1) {
      return UNKNOWN;
    }
    List<Double> ratios = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      double c = (mean(cRuns.get(i)).value() + mean(cRuns.get(i + 1)).value()) / 2;
      ratios.add(forkScores.get(i) / c);
    }
    return mean(ratios);
  }
}
