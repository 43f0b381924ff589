package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What {@code -Dzircon4j.leakDetection} reports, in fresh JVMs running {@link LeakReportProbe} (so
 * that no other test's leaks or earlier reports interfere): once per creation site in every mode
 * that reports, never for a resource that was closed, and in every mode (also {@code off}) each
 * dropped resource is released exactly once.
 */
class LeakReportTest {
  private static final Path PROJECT = Path.of(System.getProperty("zircon4j.project.dir", "."));
  private static final int EXPECTED_RELEASED = 3 * LeakReportProbe.DROPPED + 1;

  record ProbeRun(String output, long released, List<String> reports) {}

  @Test
  void onReportsEachLeakingFactoryOnceWithoutAStack() throws Exception {
    ProbeRun run = probe("on");
    assertThat(run.released()).isEqualTo(EXPECTED_RELEASED);
    assertThat(run.reports())
        .as(run.output())
        .hasSize(2)
        .anySatisfy(
            r ->
                assertThat(r)
                    .contains(
                        "an ImmutableMapping made by ImmutableMapping.create became unreachable")
                    .contains("-Dzircon4j.leakDetection=trace"))
        .anySatisfy(r -> assertThat(r).contains("a Vmo made by Vmo.create became unreachable"));
    assertThat(run.output()).doesNotContain("created here").doesNotContain("\tat ");
  }

  @Test
  void traceReportsEachCreatingLineOnceWithItsStack() throws Exception {
    ProbeRun run = probe("trace");
    System.out.println(
        "LeakReportTest: a report under -Dzircon4j.leakDetection=trace:\n" + run.output());
    assertThat(run.released()).isEqualTo(EXPECTED_RELEASED);
    assertThat(run.reports())
        .as(run.output())
        .as("the two mapping sites, the VMO site, and the probe's last leak")
        .hasSize(4)
        .anySatisfy(r -> assertThat(r).contains("at " + probeFrame("leakFromTheFirstSite")))
        .anySatisfy(r -> assertThat(r).contains("at " + probeFrame("leakFromTheSecondSite")))
        .anySatisfy(
            r -> assertThat(r).contains("a Vmo made by Vmo.create at " + probeFrame("leakAVmo")));
    assertThat(run.output()).contains("java.lang.Throwable: created here");
  }

  @Test
  void offReleasesEveryLeakAndReportsNothing() throws Exception {
    ProbeRun run = probe("off");
    assertThat(run.released()).isEqualTo(EXPECTED_RELEASED);
    assertThat(run.reports()).as(run.output()).isEmpty();
  }

  private static String probeFrame(String method) {
    return LeakReportProbe.class.getName() + "." + method + "(LeakReportProbe.java:";
  }

  private static ProbeRun probe(String mode) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Dzircon4j.leakDetection=" + mode);
    command.add("-Dzircon4j.library=" + System.getProperty("zircon4j.library"));
    command.add("-cp");
    command.add(
        PROJECT.resolve("target/classes")
            + File.pathSeparator
            + PROJECT.resolve("target/test-classes"));
    command.add(LeakReportProbe.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    Matcher released = Pattern.compile("(?m)^released (\\d+)$").matcher(output);
    assertThat(released.find()).as(output).isTrue();
    List<String> reports = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.contains("LEAK: ")) {
        reports.add(line);
      }
    }
    return new ProbeRun(output, Long.parseLong(released.group(1)), reports);
  }
}
