package io.github.zircon4j.vmo.bench.runner;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The driver of `mvn -B -Pbench verify` (run with the test classpath, which holds the benchmarks
 * and JMH). What JMH cannot do by itself is all it does: it alternates JMH forks (run through JMH's
 * {@link Runner}) with runs of their C twin in the C baseline (src/bench/c, built by
 * src/host/Makefile), runs the one-shot probes, and hands the results to {@link Rows#report}, which
 * writes OUT/summary.json and prints the table. The rows and what they measure are in {@link Rows},
 * the statistics in {@link Stat}.
 *
 * <p>Arguments: --library=ABS/libzircon.so --baseline=ABS/baseline --out=DIR [--smoke=true]
 * [--only=REGEX] [--pin=CPUS]. --only keeps the steps and C pairs whose names match REGEX (e.g.
 * {@code createClose4k|read256m}); --pin runs everything on those CPUs (taskset), a diagnostic: on
 * one CPU, mmap/munmap cost no cross-CPU TLB shootdowns, which a many-threaded JVM otherwise pays
 * and a single-threaded C program does not.
 */
public final class RunBench {
  /** JMH forks per benchmark, each between two runs of its C twin. */
  static final int ROUNDS = 8;

  private final Path library;
  private final Path baseline;
  private final Path out;
  private final boolean smoke;
  private final Measurements measurements = new Measurements();
  private final Map<String, Integer> fileCounts = new HashMap<>();

  private RunBench(Path library, Path baseline, Path out, boolean smoke) {
    this.library = library;
    this.baseline = baseline;
    this.out = out;
    this.smoke = smoke;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("unexpected argument " + arg + " (want --name=value)");
      }
      opts.put(arg.substring(2, eq), arg.substring(eq + 1).trim());
    }
    Path library = Path.of(required(opts, "library"));
    Path baseline = Path.of(required(opts, "baseline"));
    for (Path p : List.of(library, baseline)) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException("no " + p + " (build it first: src/host/Makefile)");
      }
    }
    Path out = Files.createDirectories(Path.of(required(opts, "out")));
    String pin = opts.getOrDefault("pin", "");
    if (!pin.isEmpty()) {
      // Every thread of this JVM, and so every process it starts (JMH forks, C runs).
      run(List.of("taskset", "-a", "-p", "-c", pin, Long.toString(ProcessHandle.current().pid())));
    }
    long started = System.nanoTime();
    boolean smoke = Boolean.parseBoolean(opts.getOrDefault("smoke", "false"));
    new RunBench(library, baseline, out, smoke).runAll(opts.getOrDefault("only", ""));
    System.out.printf(
        Locale.ROOT,
        "Finished in %.0f s%s.%n",
        (System.nanoTime() - started) / 1e9,
        smoke ? " (smoke mode: the numbers mean nothing)" : "");
  }

  private void runAll(String only) throws Exception {
    Pattern selected = Pattern.compile(".*(" + (only.isEmpty() ? ".*" : only) + ").*");
    List<Rows.Step> steps =
        Rows.STEPS.stream()
            .filter(s -> s.jmh().stream().anyMatch(n -> selected.matcher(n).matches()))
            .toList();
    List<List<String>> pairs =
        Rows.C_PAIRS.stream()
            .filter(p -> p.stream().anyMatch(n -> selected.matcher(n).matches()))
            .toList();
    List<String> safepointOps =
        Rows.SAFEPOINT_OPS.stream()
            .filter(op -> selected.matcher("ttsp_during_" + op + "_512m").matches())
            .toList();
    if (steps.isEmpty() && pairs.isEmpty() && safepointOps.isEmpty()) {
      throw new IllegalArgumentException("bench.only=" + only + " matches no benchmark");
    }

    for (var probe : Rows.JAVA_PROBES.entrySet()) {
      measurements.addRecord(
          probe.getKey(), JsonParser.parseString(runJava(probe.getValue())).getAsJsonObject());
    }
    for (String op : safepointOps) {
      measurements.addRecord("ttsp_during_" + op + "_512m", timeToSafepoint(op));
    }
    for (Rows.Step step : steps) {
      alternate(step);
    }
    int pairRounds = smoke ? 1 : ROUNDS / 2;
    for (List<String> pair : pairs) {
      for (int round = 0; round < pairRounds; round++) {
        for (String name : pair) {
          runC(name, true);
        }
      }
    }
    for (String record : Rows.C_RECORDS) {
      runC(record, false);
    }

    Report report = new Report(measurements);
    Rows.report(report);
    Path summary = out.resolve("summary.json");
    report.writeSummary(summary);
    report.printTable(System.out);
    System.out.printf("%nWrote %s (%d keys).%n", summary, report.size());
  }

  /** C, fork, C, fork, ..., C: every fork has C runs from just before and just after it. */
  private void alternate(Rows.Step step) throws Exception {
    int rounds = smoke ? 1 : ROUNDS;
    List<List<Double>> cRuns = new ArrayList<>();
    for (int round = 0; ; round++) {
      cRuns.add(runC(step.cTwin(), true).getOrDefault(step.cTwin(), List.of()));
      if (round == rounds) {
        break;
      }
      System.out.printf("[bench] JMH %s, round %d/%d%n", step.jmh(), round + 1, rounds);
      measurements.addJmh(new Runner(forkOptions(step.jmh()).build()).run());
    }
    for (String name : step.jmh()) {
      measurements.setCRunsAround(name, cRuns);
    }
  }

  /**
   * One fork of each benchmark, in a JVM with a fixed, pre-touched heap: without it a fork spends
   * its first seconds growing the heap, and every first touch of a heap page is a page fault (about
   * 20 µs on this kind of VM); at create + close's 200-odd bytes per operation that is one fault
   * every ~20 operations, a start-up cost a long-running program does not pay and the C baseline
   * (which allocates nothing) never sees.
   */
  private ChainedOptionsBuilder forkOptions(List<String> jmhNames) {
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include("\\.(" + String.join("|", jmhNames) + ")$")
            .forks(1)
            .shouldFailOnError(true)
            .addProfiler(GCProfiler.class)
            .jvmArgsAppend(
                "--enable-native-access=ALL-UNNAMED",
                "-Dzircon4j.library=" + library,
                "-Xms512m",
                "-Xmx512m",
                "-XX:+AlwaysPreTouch");
    if (smoke) {
      return options
          .warmupIterations(0)
          .measurementIterations(2)
          .measurementTime(TimeValue.milliseconds(100));
    }
    return options
        .warmupIterations(3)
        .warmupTime(TimeValue.milliseconds(300))
        .measurementIterations(10)
        .measurementTime(TimeValue.milliseconds(200));
  }

  /**
   * One run of the C baseline's benchmark {@code name} (timed: warm-up and samples; else a one-shot
   * record); its output is kept in OUT/c-NAME-N.jsonl and added to the measurements.
   *
   * @return this run's samples, by C benchmark
   */
  private Map<String, List<Double>> runC(String name, boolean timed) throws Exception {
    String bench = name;
    Map<String, String> env = Map.of();
    for (var variant : Rows.C_VARIANTS.entrySet()) {
      if (name.endsWith(variant.getKey())) {
        bench = name.substring(0, name.length() - variant.getKey().length());
        env = variant.getValue();
      }
    }
    List<String> cmd = new ArrayList<>(List.of(baseline.toString()));
    if (timed) {
      cmd.addAll(
          smoke
              ? List.of("-w", "0", "-i", "2", "-t", "50")
              : List.of("-w", "2", "-i", "8", "-t", "200"));
    }
    cmd.addAll(List.of("-b", bench));
    Path file = nextFile("c-" + name, ".jsonl");
    System.out.println(
        "[bench] C baseline " + name + (env.isEmpty() ? "" : " " + env) + " -> " + file);
    String output = run(cmd, env);
    if (!bench.equals(name)) {
      output = output.replace("\"bench\":\"" + bench + "\"", "\"bench\":\"" + name + "\"");
    }
    Files.writeString(file, output);
    List<String> lines = Files.readAllLines(file);
    lines.forEach(System.out::println);
    return measurements.addCRun(lines);
  }

  /** Runs a Java probe (a main class on this classpath) in its own JVM; returns its output. */
  private String runJava(String mainClass) throws Exception {
    String output = run(javaCommand("-Xmx512m", mainClass));
    Files.writeString(
        nextFile(mainClass.substring(mainClass.lastIndexOf('.') + 1), ".json"), output);
    return output.trim();
  }

  /**
   * Runs {@code SafepointLatency OP} in its own JVM with {@code -Xlog:safepoint} and returns the
   * longest "Reaching safepoint" time ({@code ms}) and the number of safepoints ({@code count}).
   * The heap is fixed and pre-touched, as the JMH forks': a heap that grows and shrinks at every
   * collection would add the GC's own mmap/munmap waits to the figure, which are not the call's.
   */
  private JsonObject timeToSafepoint(String op) throws Exception {
    Path log = nextFile("safepoint-" + op, ".log");
    System.out.println("[bench] time to safepoint during " + op + " of 512 MiB -> " + log);
    run(
        javaCommand(
            "-Xms1536m",
            "-Xmx1536m",
            "-XX:+AlwaysPreTouch",
            "-Xlog:safepoint=info:file=" + log + ":uptime",
            "io.github.zircon4j.vmo.bench.SafepointLatency",
            op,
            smoke ? "5" : "100"));
    Pattern reaching = Pattern.compile("Reaching safepoint: (\\d+) ns");
    long longest = 0;
    int count = 0;
    for (String line : Files.readAllLines(log)) {
      Matcher m = reaching.matcher(line);
      if (m.find()) {
        longest = Math.max(longest, Long.parseLong(m.group(1)));
        count++;
      }
    }
    if (count == 0) {
      throw new IllegalStateException(log + " records no safepoint");
    }
    JsonObject record = new JsonObject();
    record.addProperty("ms", longest / 1e6);
    record.addProperty("count", count);
    return record;
  }

  /**
   * A command that runs this JVM's java with this classpath, native access and the library under
   * test, then {@code rest} (JVM options, the main class and its arguments).
   */
  private List<String> javaCommand(String... rest) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "--enable-native-access=ALL-UNNAMED",
                "-Dzircon4j.library=" + library));
    cmd.addAll(List.of(rest));
    return cmd;
  }

  /** OUT/PREFIX-N.SUFFIX, N counting this run's files of that prefix from 0. */
  private Path nextFile(String prefix, String suffix) {
    return out.resolve(prefix + "-" + fileCounts.merge(prefix, 1, Integer::sum) + suffix);
  }

  /** Runs {@code cmd} (stderr to the console) and returns its stdout; fails on a non-zero exit. */
  private static String run(List<String> cmd) throws IOException, InterruptedException {
    return run(cmd, Map.of());
  }

  /** {@link #run(List)} with {@code env} added to the command's environment. */
  private static String run(List<String> cmd, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(env);
    Process p = pb.start();
    String stdout = new String(p.getInputStream().readAllBytes());
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException("exit " + rc + ": " + String.join(" ", cmd));
    }
    return stdout;
  }

  private static String required(Map<String, String> opts, String key) {
    String value = opts.get(key);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("missing --" + key + "=");
    }
    return value;
  }
}
