package io.github.zircon4j.vmo.bench.runner;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Everything one run measured, by name: each JMH benchmark's forks (JMH's own result objects,
 * reduced to what the rows use), the C baseline's samples (per run and pooled) and the one-shot
 * records (numbers by key) of the C baseline and of Java probes.
 */
final class Measurements {
  /** One JMH fork: its measured iterations (ns/op), its score and its allocation per op. */
  record Fork(List<Double> iterations, double score, double allocBytesPerOp) {}

  private final Map<String, List<Fork>> forks = new HashMap<>();
  private final Map<String, List<List<Double>>> cRunsAround = new HashMap<>();
  private final Map<String, List<Double>> cSamples = new HashMap<>();
  private final Map<String, Map<String, Double>> records = new HashMap<>();

  /** Adds the forks of every benchmark in {@code results}, under the benchmark's method name. */
  void addJmh(Collection<RunResult> results) {
    for (RunResult run : results) {
      String benchmark = run.getParams().getBenchmark();
      String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      for (BenchmarkResult fork : run.getBenchmarkResults()) {
        if (!"ns/op".equals(fork.getScoreUnit())) {
          throw new IllegalStateException(benchmark + " reports " + fork.getScoreUnit());
        }
        List<Double> iterations = new ArrayList<>();
        for (IterationResult iteration : fork.getIterationResults()) {
          iterations.add(iteration.getPrimaryResult().getScore());
        }
        Result<?> alloc = fork.getSecondaryResults().get("gc.alloc.rate.norm");
        forks
            .computeIfAbsent(name, k -> new ArrayList<>())
            .add(
                new Fork(
                    iterations,
                    fork.getPrimaryResult().getScore(),
                    alloc == null ? Double.NaN : alloc.getScore()));
      }
    }
  }

  /**
   * Adds one run of the C baseline (its JSON lines): the samples of each benchmark record, and the
   * numbers of every other record (merged by maximum when a record comes more than once).
   *
   * @return the samples of this run, by C benchmark
   */
  Map<String, List<Double>> addCRun(List<String> jsonLines) {
    Map<String, List<Double>> run = new LinkedHashMap<>();
    for (String line : jsonLines) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject record = JsonParser.parseString(line).getAsJsonObject();
      String bench = record.get("bench").getAsString();
      if (record.has("samples")) {
        List<Double> samples = new ArrayList<>();
        record.getAsJsonArray("samples").forEach(x -> samples.add(x.getAsDouble()));
        run.computeIfAbsent(bench, k -> new ArrayList<>()).addAll(samples);
        cSamples.computeIfAbsent(bench, k -> new ArrayList<>()).addAll(samples);
      } else {
        addRecord(bench, record);
      }
    }
    return run;
  }

  /** Adds the numbers of a one-shot record (a JSON object) under {@code name}. */
  void addRecord(String name, JsonObject record) {
    Map<String, Double> numbers = records.computeIfAbsent(name, k -> new LinkedHashMap<>());
    for (Map.Entry<String, JsonElement> e : record.entrySet()) {
      if (e.getValue().isJsonPrimitive() && e.getValue().getAsJsonPrimitive().isNumber()) {
        numbers.merge(e.getKey(), e.getValue().getAsDouble(), Math::max);
      }
    }
  }

  /** Records the C runs made around the forks of {@code jmhName}: one before each, one after. */
  void setCRunsAround(String jmhName, List<List<Double>> runs) {
    cRunsAround.put(jmhName, runs);
  }

  List<Fork> forks(String jmhName) {
    return forks.getOrDefault(jmhName, List.of());
  }

  List<List<Double>> cRunsAround(String jmhName) {
    return cRunsAround.getOrDefault(jmhName, List.of());
  }

  /** A Java benchmark's time: every measured iteration of every fork, pooled. */
  Stat java(String jmhName) {
    List<Double> all = new ArrayList<>();
    forks(jmhName).forEach(f -> all.addAll(f.iterations()));
    return Stat.mean(all);
  }

  /** The fastest measured iteration of a Java benchmark over all its forks. */
  double javaFastest(String jmhName) {
    return forks(jmhName).stream()
        .mapToDouble(f -> Stat.min(f.iterations()))
        .min()
        .orElse(Double.NaN);
  }

  /** A C benchmark's time: every sample of every run, pooled. */
  Stat c(String cName) {
    return Stat.mean(cSamples.getOrDefault(cName, List.of()));
  }

  /** The fastest C sample of the runs made around a Java benchmark's forks. */
  double cFastestAround(String jmhName) {
    return cRunsAround(jmhName).stream().mapToDouble(Stat::min).min().orElse(Double.NaN);
  }

  /** The mean allocation per operation of a Java benchmark (JMH's -prof gc). */
  double allocBytesPerOp(String jmhName) {
    return forks(jmhName).stream().mapToDouble(Fork::allocBytesPerOp).average().orElse(Double.NaN);
  }

  /** The numbers of a one-shot record, by key (empty if it was not measured). */
  Map<String, Double> record(String name) {
    return records.getOrDefault(name, Map.of());
  }
}
