// The driver of `mvn -B -Pbench verify` (a single-file Java program, run by the toolchain JDK with
// the project's test classpath, which holds the JMH benchmarks and JMH itself):
//   1. builds the C baseline (src/bench/c/baseline.c) against native-headers/ and libzircon.so;
//   2. measures the snapshot's memory footprint (SnapshotFootprint, in its own JVM);
//   3. runs each JMH benchmark as ROUNDS single forks (-rf json -rff OUT/jmh-N-R.json, merged into
//      OUT/jmh.json), alternating with runs of its C twin (OUT/c-N-R.jsonl): C, fork, C, ..., C;
//   4. writes OUT/summary.json (a flat object of numbers) and prints a table. Java-over-C ratios
//      compare each side's fastest iteration (with a bootstrap interval over rounds) and, next to
//      that, the means paired fork by fork; README.md says why.
// Arguments: --basedir=DIR --library=ABS/libzircon.so --out=DIR [--smoke=true] [--only=REGEX]
// (--only keeps the benchmarks whose JMH name matches REGEX, e.g. createClose4k|read256m).

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;

public class RunBench {
  static final String PKG = "io.github.zircon4j.vmo.bench.";

  /** JMH forks per benchmark, each between two runs of its C twin. */
  static final int ROUNDS = 8;

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("unexpected argument " + arg);
      }
      opts.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    Path base = Path.of(required(opts, "basedir"));
    Path library = Path.of(required(opts, "library"));
    Path out = Path.of(required(opts, "out"));
    boolean smoke = Boolean.parseBoolean(opts.getOrDefault("smoke", "false"));
    String only = opts.getOrDefault("only", "").trim();
    pinCpus = opts.getOrDefault("pin", "").trim();
    if (!Files.isRegularFile(library)) {
      throw new IllegalStateException("no host library at " + library + " (build it first)");
    }
    Files.createDirectories(out);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    long started = System.nanoTime();

    // 1. The C baseline.
    Path baseline = out.resolve("baseline");
    Path libDir = library.getParent();
    String cc = System.getenv().getOrDefault("CC", "cc");
    run(
        List.of(
            cc, "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
            "-I", base.resolve("native-headers").toString(),
            "-o", baseline.toString(), base.resolve("src/bench/c/baseline.c").toString(),
            "-L", libDir.toString(), "-lzircon", "-Wl,-rpath," + libDir, "-lm", "-pthread"),
        null);

    // 2. Footprint, from Java.
    List<String> jvm = List.of(
        "--enable-native-access=ALL-UNNAMED", "-Dzircon4j.library=" + library, "-Xmx512m");
    List<String> probe = new ArrayList<>(List.of(java, "-cp", classpath));
    probe.addAll(jvm);
    probe.add(PKG + "SnapshotFootprint");
    Path footprintJava = out.resolve("footprint-java.json");
    run(probe, footprintJava);

    // 2b. Time to safepoint while another thread makes a long zircon call (own JVMs, -Xlog).
    Map<String, Double> safepoints = new LinkedHashMap<>();
    for (String op : List.of("read", "map_range")) {
      if (!only.isEmpty() && !("ttsp_during_" + op + "_512m").matches(".*(" + only + ").*")) {
        continue;
      }
      Path log = out.resolve("safepoint-" + op + ".log");
      Files.deleteIfExists(log);
      List<String> ttsp = new ArrayList<>(List.of(java, "-cp", classpath));
      ttsp.addAll(jvm.subList(0, 2));
      // A fixed, pre-touched heap, as the JMH forks get: a heap that grows and shrinks at every
      // collection adds the GC's own mmap/munmap waits to the figure, which is not the call's.
      ttsp.addAll(List.of("-Xms1536m", "-Xmx1536m", "-XX:+AlwaysPreTouch",
          "-Xlog:safepoint=info:file=" + log + ":uptime"));
      ttsp.addAll(List.of(PKG + "SafepointLatency", op, smoke ? "5" : "100"));
      System.out.println("[bench] time to safepoint during " + op + " of 512 MiB -> " + log);
      run(ttsp, null);
      safepoints.putAll(readSafepointLog(log, "ttsp_during_" + op + "_512m"));
    }

    // 3. Each JMH benchmark alternates with its C twin: C, JMH fork, C, JMH fork, ..., C, so that
    //    every fork has C runs from just before and just after it: this shared machine's speed
    //    changes by tens of percent within seconds, which would swamp ratios of runs made minutes
    //    apart (Summary.fastestRatio and Summary.pairedMeans use the rounds).
    int rounds = smoke ? 1 : ROUNDS;
    List<String> cArgs = smoke
        ? List.of("-w", "0", "-i", "2", "-t", "50")
        : List.of("-w", "2", "-i", "8", "-t", "200");
    List<String> forkArgs = smoke
        ? List.of("-f", "1", "-wi", "0", "-i", "2", "-r", "100ms")
        : List.of("-f", "1", "-wi", "3", "-w", "300ms", "-i", "10", "-r", "200ms");
    List<Path> cRuns = new ArrayList<>();
    List<Path> jmhRuns = new ArrayList<>();
    Map<String, List<Path>> cRunsByJmh = new HashMap<>();
    String[][] plan = {
      {"createClose4k", "create_close_4k"},
      {"createCloseShared4k", "create_close_4k"},
      {"createClose4kLeakOff|createClose4kLeakOn|createClose4kLeakTrace", "create_close_4k"},
      {"createClose1g", "create_close_1g"},
      {"createClose256m", "create_close_256m"},
      {"mapRange256m", "map_range_256m"},
      {"copy256m", "copy_256m"},
      {"read256m", "read_256m"},
      {"getSizeCritical|getSizePlain", "get_size"},
      {"snapshotAfterWrite4k", "snapshot_after_write_4k"},
      {"snapshotAfterWrite256m", "snapshot_after_write_256m"},
      {"snapshotWritableMapped64m", "snapshot_writable_mapped_64m"},
      {"cowFirstWriteMapped", "cow_first_write_snapshot_mapped"},
    };
    List<String> selected = new ArrayList<>();
    for (String[] step : plan) {
      if (only.isEmpty() || step[0].matches(".*(" + only + ").*")) {
        selected.add(step[0]);
      }
    }
    // C-only pairs (no Java twin): each ratio's two operands alternate in rounds, so both see
    // the same load on this shared machine.
    String[][] cPairs = {
      {"snapshot_after_write_256m", "snapshot_after_write_4k"},
      {"snapshot_writable_mapped_64m", "wp_floor_64m"},
      {"cow_first_write_snapshot", "cow_first_write_private"},
      {"cow_first_write_wp_floor", "cow_first_write_private"},
      {"snapshot_close_64k_live", "snapshot_close_1k_live"},
      {"close_one_256k_live", "close_one_1k_live"},
      {"map_fragmented_256m", "copy_floor_128m"},
      {"remap_fragmented_256m", "remap_flat_256m"},
    };
    List<String[]> selectedPairs = new ArrayList<>();
    for (String[] pair : cPairs) {
      if (only.isEmpty() || pair[0].matches(".*(" + only + ").*")
          || pair[1].matches(".*(" + only + ").*")) {
        selectedPairs.add(pair);
      }
    }
    // The same writer pairs in the copy-on-write mode an ordinary user gets (the eager copy: no
    // full userfaultfd with vm.unprivileged_userfaultfd=0), forced with the library's test switch
    // ZIRCON4J_HOST_UFFD_USER_MODE_ONLY; their records get the suffix _unprivileged.
    String[][] cPairsUnprivileged = {
      {"snapshot_writable_mapped_64m", "wp_floor_64m"},
      {"cow_first_write_snapshot", "cow_first_write_private"},
    };
    List<String[]> selectedUnprivileged = new ArrayList<>();
    for (String[] pair : cPairsUnprivileged) {
      if (only.isEmpty() || (pair[0] + UNPRIVILEGED).matches(".*(" + only + ").*")) {
        selectedUnprivileged.add(pair);
      }
    }
    if (selected.isEmpty() && selectedPairs.isEmpty() && selectedUnprivileged.isEmpty()
        && safepoints.isEmpty()) {
      throw new IllegalArgumentException("bench.only=" + only + " matches no benchmark");
    }
    for (int n = 0; n < plan.length; n++) {
      String[] step = plan[n];
      if (!selected.contains(step[0])) {
        continue;
      }
      List<Path> stepC = new ArrayList<>();
      for (int r = 0; r <= rounds; r++) {
        Path c = out.resolve("c-" + n + "-" + r + ".jsonl");
        runC(baseline, cArgs, step[1], c);
        stepC.add(c);
        if (r == rounds) {
          break;
        }
        Path jmhJson = out.resolve("jmh-" + n + "-" + r + ".json");
        Files.deleteIfExists(jmhJson);
        List<String> jmh = new ArrayList<>(List.of(java, "-cp", classpath, "org.openjdk.jmh.Main"));
        jmh.addAll(List.of("-rf", "json", "-rff", jmhJson.toString()));
        jmh.addAll(List.of("-jvmArgsAppend", String.join(" ", jmhForkArgs(jvm))));
        jmh.addAll(List.of("-prof", "gc"));
        jmh.addAll(forkArgs);
        jmh.add("(MappingBenchmarks|WriterBenchmarks)\\.(" + step[0] + ")$");
        System.out.println("[bench] JMH " + step[0] + " round " + (r + 1) + "/" + rounds);
        run(pinned(jmh), null);
        jmhRuns.add(jmhJson);
      }
      cRuns.addAll(stepC);
      for (String name : step[0].split("\\|")) {
        cRunsByJmh.put(name, stepC);
      }
    }
    // One file with every JMH result (every round), as `-rf json` would write for a single run.
    StringBuilder merged = new StringBuilder("[");
    for (Path f : jmhRuns) {
      String text = Files.readString(f).trim();
      text = text.substring(1, text.length() - 1).trim();
      if (!text.isEmpty()) {
        merged.append(merged.length() > 1 ? ",\n" : "\n").append(text);
      }
    }
    Path jmhJson = out.resolve("jmh.json");
    Files.writeString(jmhJson, merged.append("\n]\n").toString());
    int pairRounds = smoke ? 1 : ROUNDS / 2;
    for (int n = 0; n < selectedPairs.size(); n++) {
      for (int r = 0; r < pairRounds; r++) {
        for (String name : selectedPairs.get(n)) {
          Path c = out.resolve("c-pair-" + n + "-" + r + "-" + name + ".jsonl");
          runC(baseline, cArgs, name, c);
          cRuns.add(c);
        }
      }
    }
    for (int n = 0; n < selectedUnprivileged.size(); n++) {
      for (int r = 0; r < pairRounds; r++) {
        String[] pair = selectedUnprivileged.get(n);
        // The snapshot in the eager mode, then the same floor as in the other mode.
        Path c = out.resolve("c-unprivileged-" + n + "-" + r + "-" + pair[0] + ".jsonl");
        runC(baseline, cArgs, pair[0], c, UNPRIVILEGED_ENV, UNPRIVILEGED);
        cRuns.add(c);
        Path floor = out.resolve("c-unprivileged-" + n + "-" + r + "-" + pair[1] + ".jsonl");
        runC(baseline, cArgs, pair[1], floor);
        cRuns.add(floor);
      }
    }
    // The C footprint record (parent + child committed bytes), and the committed pages of a
    // snapshot of a VMO with a live writable mapping.
    Path cFootprint = out.resolve("c-footprint.jsonl");
    runC(baseline, List.of(), "footprint", cFootprint);
    cRuns.add(cFootprint);
    Path cowCommitted = out.resolve("c-cow-committed.jsonl");
    runC(baseline, List.of(), "cow_committed", cowCommitted);
    cRuns.add(cowCommitted);
    Path cowCommittedUnprivileged = out.resolve("c-cow-committed-unprivileged.jsonl");
    runC(baseline, List.of(), "cow_committed", cowCommittedUnprivileged, UNPRIVILEGED_ENV,
        UNPRIVILEGED);
    cRuns.add(cowCommittedUnprivileged);

    // 4. Combine.
    Map<String, List<List<Double>>> cRounds = new HashMap<>();
    for (var e : cRunsByJmh.entrySet()) {
      List<List<Double>> runs = new ArrayList<>();
      for (Path run : e.getValue()) {
        runs.add(readCRun(run).values().iterator().next());
      }
      cRounds.put(e.getKey(), runs);
    }
    Map<String, Double> footprint = readFootprint(footprintJava, cRuns);
    footprint.putAll(readRecord(cowCommitted, "cow_committed", "c_cow_"));
    footprint.putAll(readRecord(cowCommittedUnprivileged, "cow_committed" + UNPRIVILEGED,
        "c_cow_unprivileged_"));
    footprint.putAll(safepoints);
    Summary s = new Summary(readJmh(jmhJson), readC(cRuns), cRounds, footprint);
    Map<String, Double> summary = s.build();
    Path summaryFile = out.resolve("summary.json");
    Files.writeString(summaryFile, toJson(summary));
    s.printTable(System.out);
    System.out.printf(
        Locale.ROOT,
        "%nWrote %s (%d keys) in %.0f s%s.%n",
        summaryFile,
        summary.size(),
        (System.nanoTime() - started) / 1e9,
        smoke ? " (smoke mode: numbers are not meaningful)" : "");
  }

  static String required(Map<String, String> opts, String key) {
    String value = opts.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing --" + key + "=");
    }
    return value;
  }

  /**
   * CPUs to pin the measured processes to (taskset list, e.g. "0"), or empty. A diagnostic: on
   * one CPU, mmap/munmap cost no cross-CPU TLB shootdowns, which a many-threaded JVM otherwise
   * pays and a single-threaded C program does not.
   */
  static String pinCpus = "";

  static List<String> pinned(List<String> cmd) {
    if (pinCpus.isEmpty()) {
      return cmd;
    }
    List<String> withTaskset = new ArrayList<>(List.of("taskset", "-c", pinCpus));
    withTaskset.addAll(cmd);
    return withTaskset;
  }

  /**
   * The JMH forks' JVM options: a fixed, pre-touched heap. Without it, a fork spends its first
   * seconds growing the heap, and every first touch of a heap page is a page fault (about 20 µs on
   * this kind of VM): at create + close's 200-odd bytes per operation that is one fault every ~20
   * operations, ~1 µs per operation, a start-up cost of the JVM that a long-running program does
   * not pay and the C baseline (which allocates nothing) never sees.
   */
  static List<String> jmhForkArgs(List<String> jvm) {
    List<String> args = new ArrayList<>(jvm);
    args.addAll(List.of("-Xms512m", "-XX:+AlwaysPreTouch"));
    return args;
  }

  /** The suffix of the records measured in the copy-on-write mode an ordinary user gets. */
  static final String UNPRIVILEGED = "_unprivileged";

  /** What makes libzircon.so act as if only the user-mode-only userfaultfd were granted. */
  static final Map<String, String> UNPRIVILEGED_ENV =
      Map.of("ZIRCON4J_HOST_UFFD_USER_MODE_ONLY", "1");

  static void runC(Path baseline, List<String> args, String bench, Path into) throws Exception {
    runC(baseline, args, bench, into, Map.of(), "");
  }

  /**
   * Runs the C baseline's {@code bench} with {@code env} added to its environment; its records
   * are named {@code bench + suffix}.
   */
  static void runC(Path baseline, List<String> args, String bench, Path into,
      Map<String, String> env, String suffix) throws Exception {
    List<String> cmd = new ArrayList<>(pinned(List.of(baseline.toString())));
    cmd.addAll(args);
    cmd.addAll(List.of("-b", bench));
    System.out.println("[bench] C baseline " + bench + suffix + " -> " + into);
    run(cmd, into, env);
    if (!suffix.isEmpty()) {
      Files.writeString(into, Files.readString(into)
          .replace("\"bench\":\"" + bench + "\"", "\"bench\":\"" + bench + suffix + "\""));
    }
    System.out.print(Files.readString(into));
  }

  /** Runs {@code cmd}, output to the console or into {@code stdout}; fails on a non-zero exit. */
  static void run(List<String> cmd, Path stdout) throws Exception {
    run(cmd, stdout, Map.of());
  }

  static void run(List<String> cmd, Path stdout, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(env);
    if (stdout == null) {
      pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
    } else {
      pb.redirectOutput(stdout.toFile());
    }
    int rc = pb.start().waitFor();
    if (rc != 0) {
      throw new IllegalStateException("exit " + rc + ": " + String.join(" ", cmd));
    }
  }

  // ---- Results -------------------------------------------------------------------------------

  /** A mean with the half-width of its 99.9% confidence interval (NaN when unknown). */
  record Stat(double mean, double err) {
    static Stat of(List<Double> samples) {
      int n = samples.size();
      double mean = samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      if (n < 2) {
        return new Stat(mean, Double.NaN);
      }
      double var = 0;
      for (double x : samples) {
        var += (x - mean) * (x - mean);
      }
      double sd = Math.sqrt(var / (n - 1));
      double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - 0.001 / 2);
      return new Stat(mean, t * sd / Math.sqrt(n));
    }

    /** this / other, the error propagated from both relative errors. */
    Stat over(Stat other) {
      double r = mean / other.mean;
      double e = r * Math.hypot(err / mean, other.err / other.mean);
      return new Stat(r, e);
    }
  }

  /** One JMH fork: its score, its measured iterations (ns/op) and its allocation per op. */
  record JmhResult(double score, List<Double> iterations, double allocBytesPerOp) {}

  /** Every fork of every benchmark in {@code file}, by method name, in the order they ran. */
  static Map<String, List<JmhResult>> readJmh(Path file) throws IOException {
    Map<String, List<JmhResult>> results = new HashMap<>();
    for (Object o : (List<?>) Json.parse(Files.readString(file))) {
      Map<?, ?> r = (Map<?, ?>) o;
      String name = (String) r.get("benchmark");
      name = name.substring(name.lastIndexOf('.') + 1);
      Map<?, ?> primary = (Map<?, ?>) r.get("primaryMetric");
      if (!"ns/op".equals(primary.get("scoreUnit"))) {
        throw new IllegalStateException(name + ": unit " + primary.get("scoreUnit"));
      }
      List<Double> iterations = new ArrayList<>();
      for (Object fork : (List<?>) primary.get("rawData")) {
        ((List<?>) fork).forEach(x -> iterations.add(num(x)));
      }
      double alloc = Double.NaN;
      Object secondary = r.get("secondaryMetrics");
      if (secondary instanceof Map<?, ?> m && m.get("gc.alloc.rate.norm") instanceof Map<?, ?> a) {
        alloc = num(a.get("score"));
      }
      results
          .computeIfAbsent(name, k -> new ArrayList<>())
          .add(new JmhResult(num(primary.get("score")), iterations, alloc));
    }
    return results;
  }

  /** The samples (ns/op) of one C run, by benchmark (records without samples are skipped). */
  static Map<String, List<Double>> readCRun(Path run) throws IOException {
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    for (String line : Files.readAllLines(run)) {
      if (!line.isBlank() && Json.parse(line) instanceof Map<?, ?> r
          && r.get("samples") instanceof List<?> xs) {
        List<Double> into = samples.computeIfAbsent((String) r.get("bench"), k -> new ArrayList<>());
        xs.forEach(x -> into.add(num(x)));
      }
    }
    return samples;
  }

  /** Every C run's samples pooled by benchmark. */
  static Map<String, Stat> readC(List<Path> runs) throws IOException {
    Map<String, List<Double>> pooled = new LinkedHashMap<>();
    for (Path run : runs) {
      readCRun(run).forEach((k, v) -> pooled.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    }
    Map<String, Stat> stats = new HashMap<>();
    pooled.forEach((k, v) -> stats.put(k, Stat.of(v)));
    return stats;
  }

  /** Footprint keys: java_* from SnapshotFootprint, c_* (parent + child) from both C runs (max). */
  static Map<String, Double> readFootprint(Path java, List<Path> cRuns) throws IOException {
    Map<String, Double> f = new LinkedHashMap<>();
    ((Map<?, ?>) Json.parse(Files.readString(java).trim()))
        .forEach((k, v) -> f.put("java_" + k, num(v)));
    for (Path run : cRuns) {
      for (String line : Files.readAllLines(run)) {
        if (line.contains("\"footprint\"")) {
          ((Map<?, ?>) Json.parse(line))
              .forEach(
                  (k, v) -> {
                    if (v instanceof Double d) {
                      f.merge("c_" + k, d, Math::max);
                    }
                  });
        }
      }
    }
    return f;
  }

  /**
   * From a {@code -Xlog:safepoint} log: {@code key + "_ms"}, the longest "Reaching safepoint" time
   * (ms), and {@code key + "_count"}, the number of safepoints.
   */
  static Map<String, Double> readSafepointLog(Path log, String key) throws IOException {
    java.util.regex.Pattern reaching =
        java.util.regex.Pattern.compile("Reaching safepoint: (\\d+) ns");
    long longest = 0;
    int count = 0;
    for (String line : Files.readAllLines(log)) {
      java.util.regex.Matcher m = reaching.matcher(line);
      if (m.find()) {
        longest = Math.max(longest, Long.parseLong(m.group(1)));
        count++;
      }
    }
    if (count == 0) {
      throw new IllegalStateException(log + " records no safepoint");
    }
    Map<String, Double> f = new LinkedHashMap<>();
    f.put(key + "_ms", longest / 1e6);
    f.put(key + "_count", (double) count);
    return f;
  }

  /** The numbers of the C record {@code bench} in {@code run}, as {@code prefix + key}. */
  static Map<String, Double> readRecord(Path run, String bench, String prefix) throws IOException {
    Map<String, Double> f = new LinkedHashMap<>();
    for (String line : Files.readAllLines(run)) {
      if (!line.isBlank() && Json.parse(line) instanceof Map<?, ?> r && bench.equals(r.get("bench"))) {
        r.forEach((k, v) -> {
          if (v instanceof Double d) {
            f.put(prefix + k, d);
          }
        });
      }
    }
    return f;
  }

  static double num(Object o) {
    if (o instanceof Double d) {
      return d;
    }
    if (o instanceof String s) { // JMH writes "NaN" as a string
      return Double.parseDouble(s);
    }
    return Double.NaN;
  }

  /** Builds the flat summary and the table. */
  static final class Summary {
    final Map<String, List<JmhResult>> jmh;
    final Map<String, Stat> c;
    final Map<String, List<List<Double>>> cRounds;
    final Map<String, Double> footprint;
    final Map<String, Double> out = new LinkedHashMap<>();
    final List<String[]> rows = new ArrayList<>();

    Summary(Map<String, List<JmhResult>> jmh, Map<String, Stat> c,
        Map<String, List<List<Double>>> cRounds, Map<String, Double> footprint) {
      this.jmh = jmh;
      this.c = c;
      this.cRounds = cRounds;
      this.footprint = footprint;
    }

    /** A Java benchmark's time: every measured iteration of every fork, pooled. */
    Stat j(String name) {
      List<Double> all = new ArrayList<>();
      jmh.getOrDefault(name, List.of()).forEach(r -> all.addAll(r.iterations()));
      return all.isEmpty() ? new Stat(Double.NaN, Double.NaN) : Stat.of(all);
    }

    /**
     * Java over C from the fastest iterations: the fastest Java iteration of all forks over the
     * fastest C sample of all the runs around them (see README: on this shared machine
     * interference only ever adds time, and it comes and goes within seconds, so the fastest
     * iteration of each side is its cost without interference). The error is the half-width of a
     * 99.9% bootstrap interval over rounds (a round: one fork and the C run before it, plus the
     * last C run), so a ratio that hangs on one lucky round shows a wide interval.
     */
    Stat fastestRatio(String name) {
      List<JmhResult> forks = jmh.getOrDefault(name, List.of());
      List<List<Double>> cRuns = cRounds.getOrDefault(name, List.of());
      if (forks.isEmpty() || cRuns.size() != forks.size() + 1) {
        return new Stat(Double.NaN, Double.NaN);
      }
      double ratio = jFastest(name) / cFastest(name);
      int n = forks.size();
      if (n < 2) {
        return new Stat(ratio, Double.NaN);
      }
      double[] javaMin = new double[n];
      double[] cMin = new double[n + 1];
      for (int i = 0; i < n; i++) {
        javaMin[i] = min(forks.get(i).iterations());
      }
      for (int i = 0; i <= n; i++) {
        cMin[i] = min(cRuns.get(i));
      }
      java.util.Random random = new java.util.Random(42); // the same interval on every run
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
      double lo = resampled[(int) (BOOTSTRAP * 0.0005)];
      double hi = resampled[(int) (BOOTSTRAP * 0.9995) - 1];
      return new Stat(ratio, Math.max(hi - ratio, ratio - lo));
    }

    static final int BOOTSTRAP = 20_000;

    /**
     * Java over C from means, paired: fork i's mean over the mean of the C runs just before and
     * just after it, one ratio per fork; the mean of those ratios with its confidence interval.
     */
    Stat pairedMeans(String name) {
      List<JmhResult> forks = jmh.getOrDefault(name, List.of());
      List<List<Double>> cRuns = cRounds.getOrDefault(name, List.of());
      if (forks.isEmpty() || cRuns.size() != forks.size() + 1) {
        return new Stat(Double.NaN, Double.NaN);
      }
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < forks.size(); i++) {
        double c = (Stat.of(cRuns.get(i)).mean() + Stat.of(cRuns.get(i + 1)).mean()) / 2;
        ratios.add(forks.get(i).score() / c);
      }
      return Stat.of(ratios);
    }

    static double min(List<Double> xs) {
      return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    /** The fastest measured iteration of a Java benchmark over all forks. */
    double jFastest(String name) {
      return jmh.getOrDefault(name, List.of()).stream()
          .mapToDouble(r -> min(r.iterations()))
          .min()
          .orElse(Double.NaN);
    }

    /** The fastest C sample of the runs paired with a Java benchmark. */
    double cFastest(String name) {
      return cRounds.getOrDefault(name, List.of()).stream()
          .mapToDouble(Summary::min)
          .min()
          .orElse(Double.NaN);
    }

    double alloc(String name) {
      return jmh.getOrDefault(name, List.of()).stream()
          .mapToDouble(JmhResult::allocBytesPerOp)
          .average()
          .orElse(Double.NaN);
    }

    Stat c(String name) {
      return c.getOrDefault(name, new Stat(Double.NaN, Double.NaN));
    }

    void put(String key, double value) {
      out.put(key, value);
    }

    void put(String key, Stat s) {
      out.put(key, s.mean());
      out.put(key.endsWith("_ns") ? key.substring(0, key.length() - 3) + "_err_ns" : key + "_err", s.err());
    }

    /** One ratio row: key, ratio (with _err), the two operands under their own names. */
    void ratio(String key, String target, boolean lowerIsBetter, double bound, String aName, Stat a,
        String bName, Stat b, String what) {
      ratio(key, target, lowerIsBetter, bound, a.over(b), aName, a, bName, b, what);
    }

    /**
     * Java over Java, both from the same rounds: the fastest iteration of {@code a} over that of
     * {@code b} (as in {@link #fastestRatio}), with the ratio of pooled means in the row.
     */
    void javaOverJava(String key, String target, double bound, String a, String b, String what) {
      Stat fastest = new Stat(jFastest(a) / jFastest(b), Double.NaN);
      ratio(key, target, true, bound, fastest, "a", j(a), "b", j(b), what);
      Stat byMean = j(a).over(j(b));
      put(key + "_by_mean", byMean);
      String[] row = rows.get(rows.size() - 1);
      row[4] = "fastest " + time(new Stat(jFastest(a), Double.NaN)) + " / "
          + time(new Stat(jFastest(b), Double.NaN)) + "; means " + row[4]
          + "; ratio of means " + fmt(byMean.mean(), byMean.err());
    }

    /**
     * A Java-over-C row: the ratio of the fastest iterations ({@link #fastestRatio}); the ratio
     * of means, paired by fork, under {@code key_by_mean}; the operands' pooled means and fastest
     * iterations.
     */
    void javaOverC(String key, String target, double bound, String jmhName, String cName,
        String what) {
      ratio(key, target, true, bound, fastestRatio(jmhName), "java", j(jmhName), "c", c(cName),
          what);
      Stat byMean = pairedMeans(jmhName);
      double javaFastest = jFastest(jmhName);
      double cFastest = cFastest(jmhName);
      put(key + "_by_mean", byMean);
      put(key + "_java_fastest_ns", javaFastest);
      put(key + "_c_fastest_ns", cFastest);
      String[] row = rows.get(rows.size() - 1);
      row[4] = "fastest java " + time(new Stat(javaFastest, Double.NaN)) + " / c "
          + time(new Stat(cFastest, Double.NaN)) + "; means " + row[4]
          + "; ratio of means " + fmt(byMean.mean(), byMean.err());
    }

    void ratio(String key, String target, boolean lowerIsBetter, double bound, Stat r,
        String aName, Stat a, String bName, Stat b, String what) {
      put(key, r);
      put(key + "_" + aName + "_ns", a);
      put(key + "_" + bName + "_ns", b);
      String status = Double.isNaN(r.mean()) || bound <= 0
          ? "-"
          : (lowerIsBetter ? r.mean() <= bound : r.mean() >= bound) ? "ok" : "MISS";
      rows.add(new String[] {
        key, fmt(r.mean(), r.err()), target, status,
        aName + " " + time(a) + " / " + bName + " " + time(b), what
      });
    }

    Map<String, Double> build() {
      javaOverC("create_close_4k_java_over_c", "<= 1.10", 1.10, "createClose4k", "create_close_4k",
          "ImmutableMapping.create+close, 1 page vs the 5 syscalls in C");
      javaOverC("create_close_4k_shared_java_over_c", "(none)", 0, "createCloseShared4k",
          "create_close_4k", "createShared+close (close = JVM-wide handshake) vs C");
      javaOverJava("create_close_4k_leak_on_over_off", "<= 1.05", 1.05, "createClose4kLeakOn",
          "createClose4kLeakOff", "create+close, -Dzircon4j.leakDetection=on vs off");
      javaOverJava("create_close_4k_leak_trace_over_off", "(none)", 0, "createClose4kLeakTrace",
          "createClose4kLeakOff", "create+close, leakDetection=trace (a stack per create) vs off");
      javaOverC("create_close_4k_leak_off_java_over_c", "(info)", 0, "createClose4kLeakOff",
          "create_close_4k", "create+close with leakDetection=off (leaks still released) vs C");
      javaOverC("read_256m_c_over_java", "<= 1.05", 1.05, "read256m", "read_256m",
          "time to sum the mapped 256 MiB as longs: Java segment() vs C pointer");
      ratio("create_close_1g_over_4k", "<= 3", true, 3,
          "1g", j("createClose1g"), "4k", j("createClose4k"),
          "Java, lazy: never-written 1 GiB VMO vs 1 page");
      ratio("copy_over_map_256m", ">= 50", false, 50,
          "copy", j("copy256m"), "map", j("createClose256m"),
          "Java: Vmo.read of 256 MiB into a byte[] vs lazy create+close");
      javaOverC("map_range_256m_java_over_c", "<= 1.10", 1.10, "mapRange256m", "map_range_256m",
          "create(vmo, true)+close (ZX_VM_MAP_RANGE), 256 MiB with data");

      double committed = 0;
      for (var e : footprint.entrySet()) {
        if (e.getKey().endsWith("_committed_delta")) {
          committed = Math.max(committed, Math.abs(e.getValue()));
        }
      }
      put("snapshot_committed_bytes_256m", committed);
      footprint.forEach((k, v) -> put("snapshot_256m_" + k, v));
      rows.add(new String[] {
        "snapshot_committed_bytes_256m", String.format(Locale.ROOT, "%.0f", committed), "0",
        committed == 0 ? "ok" : "MISS",
        String.format(Locale.ROOT, "rss %+.0f B, shmem %+.0f B (Java, data VMO)",
            footprint.getOrDefault("java_data_rss_delta", Double.NaN),
            footprint.getOrDefault("java_data_shmem_delta", Double.NaN)),
        "max committed_bytes growth (Java parent; C parent+child), data and fresh VMO"
      });

      // Time to safepoint while another thread makes a long call (none is a critical downcall).
      for (String op : List.of("read", "map_range")) {
        String key = "ttsp_during_" + op + "_512m";
        double ms = footprint.getOrDefault(key + "_ms", Double.NaN);
        put(key + "_ms", ms);
        put(key + "_safepoints", footprint.getOrDefault(key + "_count", Double.NaN));
        rows.add(new String[] {
          key + "_ms", String.format(Locale.ROOT, "%.3f", ms), "<= 5",
          Double.isNaN(ms) ? "-" : ms <= 5 ? "ok" : "MISS",
          String.format(Locale.ROOT, "%.0f safepoints",
              footprint.getOrDefault(key + "_count", Double.NaN)),
          "longest time to safepoint (-Xlog:safepoint) while another thread loops "
              + (op.equals("read") ? "Vmo.read of 512 MiB into a byte[]"
                  : "ImmutableMapping.create(vmo, SHARED, PAGE_IMMEDIATELY)+close of 512 MiB")
        });
      }

      // A writer's snapshots (issue 16), in C: the cost follows the pages written, not the size.
      ratio("snapshot_after_write_256m_over_4k", "<= 3", true, 3,
          "256m", c("snapshot_after_write_256m"), "4k", c("snapshot_after_write_4k"),
          "C: write one page, snapshot, map, unmap; fully written 256 MiB vs 4 KiB VMO");
      ratio("snapshot_writable_mapped_64m_over_wp_floor", "<= 3", true, 3,
          "snapshot", c("snapshot_writable_mapped_64m"), "floor", c("wp_floor_64m"),
          "C: store a page through a live PERM_WRITE mapping, snapshot, map, unmap (64 MiB"
              + " written) vs mprotect RO then RW of a populated 64 MiB shared mapping");
      double snapshotPages = footprint.getOrDefault("c_cow_snapshot_pages", Double.NaN);
      double writtenPages = footprint.getOrDefault("c_cow_after_8_writes_pages", Double.NaN);
      put("snapshot_writable_mapped_committed_pages", snapshotPages);
      put("snapshot_writable_mapped_committed_pages_after_8_writes", writtenPages);
      rows.add(new String[] {
        "snapshot_writable_mapped_committed_pages", String.format(Locale.ROOT, "%.0f", snapshotPages),
        "0", snapshotPages == 0 ? "ok" : "MISS",
        String.format(Locale.ROOT, "8 page stores afterwards: %+.0f pages", writtenPages),
        "C: pages committed (parent + snapshot) by snapshotting a written 64 MiB VMO with a live"
            + " writable mapping"
      });
      ratio("snapshot_after_write_256m_over_4k_java", "<= 3", true, 3,
          "256m", j("snapshotAfterWrite256m"), "4k", j("snapshotAfterWrite4k"),
          "Java: Vmo.write of one page, then ImmutableMapping.create+close; 256 MiB vs 4 KiB");
      ratio("snapshot_writable_mapped_64m_over_wp_floor_java", "<= 3", true, 3,
          "snapshot", j("snapshotWritableMapped64m"), "floor", c("wp_floor_64m"),
          "Java: a store through a live Mapping, then ImmutableMapping.create+close (64 MiB"
              + " written) vs the C mprotect floor");
      javaOverC("snapshot_writable_mapped_64m_java_over_c", "(info)", 0,
          "snapshotWritableMapped64m", "snapshot_writable_mapped_64m",
          "store through Mapping + snapshot + map + unmap, Java vs C");
      ratio("cow_first_write_per_page_over_linux_private_cow", "<= 5", true, 5,
          "cow", c("cow_first_write_snapshot"), "private", c("cow_first_write_private"),
          "C: first store to a page through the writer's mapping after a snapshot vs first store"
              + " to a read MAP_PRIVATE page of a memfd (report)");
      // The same in the eager-copy mode an ordinary user gets (see README: "Two copy-on-write
      // modes"): the snapshot copies the written pages, and a first store then copies nothing.
      ratio("snapshot_writable_mapped_64m_over_wp_floor" + UNPRIVILEGED, "(info)", true, 0,
          "snapshot", c("snapshot_writable_mapped_64m" + UNPRIVILEGED), "floor", c("wp_floor_64m"),
          "C, eager-copy mode (no full userfaultfd): the same cycle, which copies the 64 MiB"
              + " mapped, vs the same floor");
      ratio("cow_first_write_per_page_over_linux_private_cow" + UNPRIVILEGED, "(info)", true, 0,
          "cow", c("cow_first_write_snapshot" + UNPRIVILEGED), "private",
          c("cow_first_write_private"),
          "C, eager-copy mode: the first store per page after a snapshot (already copied)");
      double eagerPages = footprint.getOrDefault("c_cow_unprivileged_snapshot_pages", Double.NaN);
      put("snapshot_writable_mapped_committed_pages" + UNPRIVILEGED, eagerPages);
      rows.add(new String[] {
        "snapshot_writable_mapped_committed_pages" + UNPRIVILEGED,
        String.format(Locale.ROOT, "%.0f", eagerPages), "(info)", "-",
        String.format(Locale.ROOT, "8 page stores afterwards: %+.0f pages",
            footprint.getOrDefault("c_cow_unprivileged_after_8_writes_pages", Double.NaN)),
        "C, eager-copy mode: pages committed by the same snapshot"
      });
      ratio("cow_first_write_mapped_over_linux_private_cow", "(info)", true, 0,
          "cow", c("cow_first_write_snapshot_mapped"), "private", c("cow_first_write_private"),
          "C: the same with the snapshot mapped by a reader meanwhile (its page moves to the"
              + " snapshot's copy too)");
      javaOverC("cow_first_write_mapped_java_over_c", "(info)", 0, "cowFirstWriteMapped",
          "cow_first_write_snapshot_mapped",
          "first store per page through a Mapping while an ImmutableMapping holds the snapshot");
      ratio("cow_first_write_wp_floor_over_linux_private_cow", "(info)", true, 0,
          "floor", c("cow_first_write_wp_floor"), "private", c("cow_first_write_private"),
          "C: the same first store to a write-protected page, resolved by a handler thread that"
              + " only lifts the protection (no copy), vs the kernel's copy-on-write: the floor of"
              + " any user-space fault handler here");
      ratio("cow_first_write_over_wp_floor", "(info)", true, 0,
          "cow", c("cow_first_write_snapshot"), "floor", c("cow_first_write_wp_floor"),
          "C: what the emulation adds to that floor (the copy of the page, the lookups)");

      // Costs that must not grow with unrelated objects or with the write history (issue 22).
      ratio("snapshot_close_64k_live_over_1k_live", "<= 1.5", true, 1.5,
          "64k", c("snapshot_close_64k_live"), "1k", c("snapshot_close_1k_live"),
          "C: snapshot of a written 1-page VMO + close, 64,000 vs 1,000 other VMOs alive");
      ratio("close_each_of_256k_over_1k", "<= 1.5", true, 1.5,
          "256k", c("close_one_256k_live"), "1k", c("close_one_1k_live"),
          "C: create + close of one VMO, 256,000 vs 1,000 other VMOs alive");
      ratio("map_fragmented_256m_over_copy_floor", "<= 2", true, 2,
          "map", c("map_fragmented_256m"), "memcpy", c("copy_floor_128m"),
          "C: first map+unmap of a snapshot whose pages alternate between two layers (256 MiB,"
              + " every other page rewritten) vs a memcpy of the 128 MiB that differ");
      ratio("remap_fragmented_256m_over_flat", "<= 3", true, 3,
          "fragmented", c("remap_fragmented_256m"), "flat", c("remap_flat_256m"),
          "C: mapping that snapshot again vs mapping a never-rewritten 256 MiB snapshot");

      // Context rows: the same ratios in C, the read throughput, and what one downcall costs.
      ratio("create_close_1g_over_4k_c", "(info)", true, 0,
          "1g", c("create_close_1g"), "4k", c("create_close_4k"), "the same in C");
      ratio("copy_over_map_256m_c", "(info)", false, 0,
          "copy", c("copy_256m"), "map", c("create_close_256m"), "the same in C");
      javaOverC("create_close_256m_java_over_c", "(info)", 0, "createClose256m",
          "create_close_256m", "lazy create+close, 256 MiB with data");
      javaOverC("copy_256m_java_over_c", "(info)", 0, "copy256m", "copy_256m",
          "zx_vmo_read of 256 MiB");
      put("read_256m_java_gib_per_s", gibPerSecond(j("read256m").mean()));
      put("read_256m_c_gib_per_s", gibPerSecond(c("read_256m").mean()));
      ratio("downcall_plain_over_critical", "(info)", true, 0,
          "plain", j("getSizePlain"), "critical", j("getSizeCritical"),
          "one zx_vmo_get_size: ordinary downcall vs Linker.Option.critical(false)");
      put("downcall_get_size_c_ns", c("get_size"));
      put("create_close_4k_java_alloc_bytes_per_op", alloc("createClose4k"));
      put("create_close_4k_shared_java_alloc_bytes_per_op", alloc("createCloseShared4k"));
      return out;
    }

    void printTable(java.io.PrintStream ps) {
      String[] head = {"metric", "value ± 99.9% CI", "target", "", "absolute (mean ± err)", "what"};
      int[] w = new int[head.length];
      List<String[]> all = new ArrayList<>();
      all.add(head);
      all.addAll(rows);
      for (String[] r : all) {
        for (int i = 0; i < r.length; i++) {
          w[i] = Math.max(w[i], r[i].length());
        }
      }
      ps.println();
      ps.println("Benchmark summary (higher = worse unless the target says >=):");
      for (String[] r : all) {
        StringBuilder line = new StringBuilder("| ");
        for (int i = 0; i < r.length; i++) {
          line.append(String.format("%-" + w[i] + "s", r[i])).append(" | ");
        }
        ps.println(line.toString().stripTrailing());
        if (r == head) {
          StringBuilder sep = new StringBuilder("|");
          for (int width : w) {
            sep.append("-".repeat(width + 2)).append('|');
          }
          ps.println(sep);
        }
      }
      ps.printf(Locale.ROOT, "allocation per create+close (JMH -prof gc): %.0f B confined, %.0f B shared%n",
          out.get("create_close_4k_java_alloc_bytes_per_op"),
          out.get("create_close_4k_shared_java_alloc_bytes_per_op"));
      ps.printf(Locale.ROOT, "read throughput: Java %.2f GiB/s, C %.2f GiB/s%n",
          out.get("read_256m_java_gib_per_s"), out.get("read_256m_c_gib_per_s"));
      ps.printf(Locale.ROOT, "one zx_vmo_get_size: critical %.1f ns, plain %.1f ns, C %.1f ns%n",
          out.get("downcall_plain_over_critical_critical_ns"),
          out.get("downcall_plain_over_critical_plain_ns"),
          out.get("downcall_get_size_c_ns"));
    }

    static double gibPerSecond(double nsFor256m) {
      return 0.25 / (nsFor256m / 1e9);
    }

    static String fmt(double v, double e) {
      return Double.isNaN(e)
          ? String.format(Locale.ROOT, "%.3f", v)
          : String.format(Locale.ROOT, "%.3f ± %.3f", v, e);
    }

    static String time(Stat s) {
      double m = s.mean();
      double e = s.err();
      String unit = "ns";
      double div = 1;
      if (m >= 1e6) {
        unit = "ms";
        div = 1e6;
      } else if (m >= 1e3) {
        unit = "µs";
        div = 1e3;
      }
      return Double.isNaN(e)
          ? String.format(Locale.ROOT, "%.2f %s", m / div, unit)
          : String.format(Locale.ROOT, "%.2f ± %.2f %s", m / div, e / div, unit);
    }
  }

  static String toJson(Map<String, Double> map) {
    StringBuilder sb = new StringBuilder("{\n");
    int i = 0;
    for (var e : map.entrySet()) {
      double v = e.getValue();
      String value;
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        value = "null";
      } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        value = Long.toString((long) v);
      } else if (Math.abs(v) >= 100) {
        value = String.format(Locale.ROOT, "%.1f", v);
      } else {
        value = String.format(Locale.ROOT, "%.4f", v);
      }
      sb.append("  \"").append(e.getKey()).append("\": ").append(value);
      sb.append(++i < map.size() ? ",\n" : "\n");
    }
    return sb.append("}\n").toString();
  }

  /** Just enough JSON for JMH's result file and our JSON lines. */
  static final class Json {
    private final String s;
    private int i;

    private Json(String s) {
      this.s = s;
    }

    static Object parse(String text) {
      Json p = new Json(text);
      Object v = p.value();
      p.ws();
      if (p.i != p.s.length()) {
        throw p.error("trailing data");
      }
      return v;
    }

    private Object value() {
      ws();
      char ch = s.charAt(i);
      switch (ch) {
        case '{': {
          Map<String, Object> m = new LinkedHashMap<>();
          i++;
          ws();
          if (s.charAt(i) == '}') {
            i++;
            return m;
          }
          while (true) {
            ws();
            String key = string();
            ws();
            expect(':');
            m.put(key, value());
            ws();
            if (s.charAt(i) == ',') {
              i++;
            } else {
              expect('}');
              return m;
            }
          }
        }
        case '[': {
          List<Object> l = new ArrayList<>();
          i++;
          ws();
          if (s.charAt(i) == ']') {
            i++;
            return l;
          }
          while (true) {
            l.add(value());
            ws();
            if (s.charAt(i) == ',') {
              i++;
            } else {
              expect(']');
              return l;
            }
          }
        }
        case '"':
          return string();
        default:
          if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
          }
          if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
          }
          if (s.startsWith("null", i)) {
            i += 4;
            return null;
          }
          int start = i;
          while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
          }
          if (start == i) {
            throw error("unexpected character");
          }
          return Double.parseDouble(s.substring(start, i));
      }
    }

    private String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char ch = s.charAt(i++);
        if (ch == '"') {
          return sb.toString();
        }
        if (ch == '\\') {
          char esc = s.charAt(i++);
          switch (esc) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'u' -> {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> sb.append(esc);
          }
        } else {
          sb.append(ch);
        }
      }
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private void expect(char ch) {
      if (i >= s.length() || s.charAt(i) != ch) {
        throw error("expected '" + ch + "'");
      }
      i++;
    }

    private IllegalStateException error(String what) {
      return new IllegalStateException("JSON: " + what + " at " + i);
    }
  }
}
