package io.github.zircon4j.vmo.bench.runner;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run's results as rows of a table and as a flat summary (target/bench/summary.json): each
 * row's value with its 99.9% half-width ({@code KEY_err}) and its operands in nanoseconds under
 * their own keys. {@link Rows#report} says which rows there are; the kinds of row are here.
 */
final class Report {
  /** What a row's value should be: at most or at least a bound, or no target at all. */
  record Target(String text, double bound, boolean lowerIsBetter) {
    static Target atMost(String bound) {
      return new Target("<= " + bound, Double.parseDouble(bound), true);
    }

    static Target atLeast(String bound) {
      return new Target(">= " + bound, Double.parseDouble(bound), false);
    }

    /** Shown for context; {@code text} says why ("(info)", "(none)"). */
    static Target none(String text) {
      return new Target(text, Double.NaN, true);
    }

    String status(double value) {
      if (Double.isNaN(value) || Double.isNaN(bound)) {
        return "-";
      }
      return (lowerIsBetter ? value <= bound : value >= bound) ? "ok" : "MISS";
    }
  }

  static final Target INFO = Target.none("(info)");

  /** A named operand of a ratio: a Java benchmark's or a C benchmark's pooled time. */
  record Operand(String label, Stat time) {}

  private final Measurements m;
  private final Map<String, Double> summary = new LinkedHashMap<>();
  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Report(Measurements m) {
    this.m = m;
  }

  Measurements measurements() {
    return m;
  }

  Operand java(String label, String jmhName) {
    return new Operand(label, m.java(jmhName));
  }

  Operand c(String label, String cName) {
    return new Operand(label, m.c(cName));
  }

  /** A ratio of two pooled means: {@code a} over {@code b}. */
  void ratio(String key, Target target, Operand a, Operand b, String what) {
    row(key, target, a.time().over(b.time()), a, b, what);
  }

  /**
   * Java over C, measured alternately: the ratio of the fastest iterations ({@link
   * Stat#fastestRatio}); the ratio of means, paired fork by fork, as {@code KEY_by_mean}; the
   * operands' pooled means and fastest iterations.
   */
  void javaOverC(String key, Target target, String jmhName, String cName, String what) {
    List<Measurements.Fork> forks = m.forks(jmhName);
    List<List<Double>> cRuns = m.cRunsAround(jmhName);
    Stat fastest =
        Stat.fastestRatio(forks.stream().map(Measurements.Fork::iterations).toList(), cRuns);
    String[] row = row(key, target, fastest, java("java", jmhName), c("c", cName), what);
    Stat byMean = Stat.pairedMeans(forks.stream().map(Measurements.Fork::score).toList(), cRuns);
    double javaFastest = m.javaFastest(jmhName);
    double cFastest = m.cFastestAround(jmhName);
    put(key + "_by_mean", byMean);
    summary.put(key + "_java_fastest_ns", javaFastest);
    summary.put(key + "_c_fastest_ns", cFastest);
    row[4] =
        "fastest java "
            + time(Stat.exact(javaFastest))
            + " / c "
            + time(Stat.exact(cFastest))
            + "; means "
            + row[4]
            + "; ratio of means "
            + fmt(byMean);
  }

  /**
   * Java over Java, both measured in the same rounds: the fastest iteration of {@code a} over that
   * of {@code b}, with the ratio of pooled means as {@code KEY_by_mean}.
   */
  void javaOverJava(String key, Target target, String a, String b, String what) {
    double fastestA = m.javaFastest(a);
    double fastestB = m.javaFastest(b);
    String[] row =
        row(key, target, Stat.exact(fastestA / fastestB), java("a", a), java("b", b), what);
    Stat byMean = m.java(a).over(m.java(b));
    put(key + "_by_mean", byMean);
    row[4] =
        "fastest "
            + time(Stat.exact(fastestA))
            + " / "
            + time(Stat.exact(fastestB))
            + "; means "
            + row[4]
            + "; ratio of means "
            + fmt(byMean);
  }

  /** A row whose value is a count, not a ratio ({@code detail} goes in the absolute column). */
  void count(String key, Target target, double value, String detail, String what) {
    summary.put(key, value);
    rows.add(
        new String[] {
          key,
          String.format(Locale.ROOT, "%.0f", value),
          target.text(),
          target.status(value),
          detail,
          what
        });
  }

  /** A row whose value is a time in milliseconds, measured once (no error bar). */
  void millis(String key, Target target, double value, String detail, String what) {
    summary.put(key, value);
    rows.add(
        new String[] {
          key,
          String.format(Locale.ROOT, "%.3f", value),
          target.text(),
          target.status(value),
          detail,
          what
        });
  }

  /** A summary value without a row. */
  void put(String key, double value) {
    summary.put(key, value);
  }

  /** A summary value with its error ({@code KEY_err}, or {@code ..._err_ns} for a time). */
  void put(String key, Stat s) {
    summary.put(key, s.value());
    summary.put(
        key.endsWith("_ns") ? key.substring(0, key.length() - 3) + "_err_ns" : key + "_err",
        s.err());
  }

  double get(String key) {
    return summary.getOrDefault(key, Double.NaN);
  }

  /** A line printed under the table. */
  void note(String format, Object... args) {
    notes.add(String.format(Locale.ROOT, format, args));
  }

  private String[] row(String key, Target target, Stat value, Operand a, Operand b, String what) {
    put(key, value);
    put(key + "_" + a.label() + "_ns", a.time());
    put(key + "_" + b.label() + "_ns", b.time());
    String[] row = {
      key,
      fmt(value),
      target.text(),
      target.status(value.value()),
      a.label() + " " + time(a.time()) + " / " + b.label() + " " + time(b.time()),
      what
    };
    rows.add(row);
    return row;
  }

  void printTable(PrintStream out) {
    String[] head = {"metric", "value ± 99.9% CI", "target", "", "absolute (mean ± err)", "what"};
    List<String[]> all = new ArrayList<>();
    all.add(head);
    all.addAll(rows);
    int[] width = new int[head.length];
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    out.println();
    out.println("Benchmark summary (higher = worse unless the target says >=):");
    for (String[] r : all) {
      StringBuilder line = new StringBuilder("| ");
      for (int i = 0; i < r.length; i++) {
        line.append(String.format("%-" + width[i] + "s", r[i])).append(" | ");
      }
      out.println(line.toString().stripTrailing());
      if (r == head) {
        StringBuilder rule = new StringBuilder("|");
        for (int w : width) {
          rule.append("-".repeat(w + 2)).append('|');
        }
        out.println(rule);
      }
    }
    notes.forEach(out::println);
  }

  /** Writes the summary as one JSON object; unknown values (NaN) are null. */
  void writeSummary(Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file);
        JsonWriter json = new JsonWriter(w)) {
      json.setIndent("  ");
      json.beginObject();
      for (Map.Entry<String, Double> e : summary.entrySet()) {
        double v = e.getValue();
        json.name(e.getKey());
        if (Double.isNaN(v) || Double.isInfinite(v)) {
          json.nullValue();
        } else {
          json.value(v);
        }
      }
      json.endObject();
    }
  }

  int size() {
    return summary.size();
  }

  static String fmt(Stat s) {
    return Double.isNaN(s.err())
        ? String.format(Locale.ROOT, "%.3f", s.value())
        : String.format(Locale.ROOT, "%.3f ± %.3f", s.value(), s.err());
  }

  static String time(Stat s) {
    double v = s.value();
    String unit = v >= 1e6 ? "ms" : v >= 1e3 ? "µs" : "ns";
    double div = v >= 1e6 ? 1e6 : v >= 1e3 ? 1e3 : 1;
    return Double.isNaN(s.err())
        ? String.format(Locale.ROOT, "%.2f %s", v / div, unit)
        : String.format(Locale.ROOT, "%.2f ± %.2f %s", v / div, s.err() / div, unit);
  }
}
