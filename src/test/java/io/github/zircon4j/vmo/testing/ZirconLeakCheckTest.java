package io.github.zircon4j.vmo.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.Mapping;
import io.github.zircon4j.vmo.Vmo;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs small test classes that use {@link ZirconLeakCheck} through the JUnit launcher and checks
 * which of their tests it failed, and with what report. (Nested classes: Surefire does not run them
 * by itself.)
 */
class ZirconLeakCheckTest {
  /** What the nested tests left open on purpose; closed by each test here afterwards. */
  static final List<AutoCloseable> LEFT_OPEN = new CopyOnWriteArrayList<>();

  /** The line each nested test made its object on, by a name the test chooses. */
  static final Map<String, Integer> LINES = new ConcurrentHashMap<>();

  static String testThread;

  static <T extends AutoCloseable> T keep(T object) {
    LEFT_OPEN.add(object);
    return object;
  }

  /** The line of the statement before the caller's. */
  static int previousLine() {
    return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow()).getLineNumber()
        - 1;
  }

  @AfterEach
  void closeWhatTheNestedTestsLeft() throws Exception {
    for (AutoCloseable object : LEFT_OPEN) {
      object.close();
    }
    LEFT_OPEN.clear();
    LINES.clear();
  }

  private static Map<String, TestExecutionResult> run(Class<?> tests, Map<String, String> config) {
    Map<String, TestExecutionResult> results = new TreeMap<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(tests))
            .configurationParameters(config)
            .build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isTest()) {
              synchronized (results) {
                results.put(test.getDisplayName(), result);
              }
            }
          }
        });
    return results;
  }

  private static String failure(TestExecutionResult result) {
    assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    return result.getThrowable().orElseThrow().getMessage();
  }

  private static String site(String method, String name) {
    return "io.github.zircon4j.vmo.testing.ZirconLeakCheckTest$"
        + method
        + "(ZirconLeakCheckTest.java:"
        + LINES.get(name)
        + ")";
  }

  static class OneOfEach {
    @RegisterExtension static final ZirconLeakCheck CHECK = ZirconLeakCheck.objectsOnly();

    @Test
    void closesEverything() {
      try (Mapping mapping = Mapping.allocate(4096);
          ImmutableMapping snapshot = ImmutableMapping.create(mapping.vmo())) {
        assertThat(snapshot.size()).isEqualTo(4096);
      }
    }

    @Test
    void leavesOneOfEach() {
      testThread = Thread.currentThread().getName();
      Vmo vmo = keep(Vmo.create(4096));
      LINES.put("vmo", previousLine());
      keep(ImmutableMapping.create(vmo));
      LINES.put("snapshot", previousLine());
      keep(Mapping.allocate(4096));
      LINES.put("mapping", previousLine());
    }
  }

  @Test
  void aTestThatLeavesObjectsOpenFailsNamingEachAndTheLineThatMadeIt() {
    Map<String, TestExecutionResult> results = run(OneOfEach.class, Map.of());
    assertThat(results.get("closesEverything()").getStatus())
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    String thread = " on thread \"" + testThread + "\"";
    String method = "OneOfEach.leavesOneOfEach";
    assertThat(failure(results.get("leavesOneOfEach()")))
        .isEqualTo(
            // A Mapping owns a Vmo (mapping.vmo()), made by the same line.
            "leavesOneOfEach() left 4 zircon objects open:\n"
                + "  - a Mapping made by Mapping.allocate(long) at "
                + site(method, "mapping")
                + thread
                + "\n  - a Vmo made by Vmo.create(long, int) at "
                + site(method, "vmo")
                + thread
                + "\n  - a Vmo made by Vmo.create(long, int) at "
                + site(method, "mapping")
                + thread
                + "\n  - an ImmutableMapping made by ImmutableMapping.create(Vmo, boolean) at "
                + site(method, "snapshot")
                + thread
                + "\nClose each one (try-with-resources) before the test ends.");
  }

  static class Threads {
    @RegisterExtension static final ZirconLeakCheck CHECK = ZirconLeakCheck.objectsOnly();
    static ExecutorService pool;
    static Vmo madeBeforeTheTests;

    @BeforeAll
    static void startAPoolAndMakeAVmo() throws Exception {
      pool = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "shared-pool"));
      pool.submit(() -> {}).get(); // its thread exists before any test
      madeBeforeTheTests = Vmo.create(4096);
    }

    @AfterAll
    static void stopThePool() {
      pool.shutdown();
      madeBeforeTheTests.close();
    }

    @Test
    void leavesAVmoMadeOnAThreadItStarted() throws Exception {
      Thread thread =
          new Thread(
              () -> {
                keep(Vmo.create(4096));
                LINES.put("started", previousLine());
              },
              "started-by-the-test");
      thread.start();
      thread.join();
    }

    @Test
    void leavesAVmoMadeOnAPoolThreadThatExistedBefore() throws Exception {
      pool.submit(() -> keep(Vmo.create(4096))).get();
    }

    @Test
    void leavesOpenAVmoMadeBeforeTheTest() {
      assertThat(madeBeforeTheTests.isClosed()).isFalse();
    }

    @Test
    void leavesAnUnreachableVmo() {
      Vmo.create(4096);
      LINES.put("unreachable", previousLine());
      System.gc();
    }
  }

  @Test
  void objectsOfTheTestsThreadsAndOfThreadsItStartedAreItsOnly() {
    Map<String, TestExecutionResult> results = run(Threads.class, Map.of());
    assertThat(failure(results.get("leavesAVmoMadeOnAThreadItStarted()")))
        .isEqualTo(
            "leavesAVmoMadeOnAThreadItStarted() left 1 zircon object open:\n"
                + "  - a Vmo made by Vmo.create(long, int) at "
                + site("Threads.lambda$leavesAVmoMadeOnAThreadItStarted$0", "started")
                + " on thread \"started-by-the-test\"\n"
                + "Close each one (try-with-resources) before the test ends.");
    assertThat(results.get("leavesAVmoMadeOnAPoolThreadThatExistedBefore()").getStatus())
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(results.get("leavesOpenAVmoMadeBeforeTheTest()").getStatus())
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    // Unreachable or not (the garbage collector may have released it by then), it was leaked.
    assertThat(failure(results.get("leavesAnUnreachableVmo()")))
        .startsWith(
            "leavesAnUnreachableVmo() left 1 zircon object open:\n"
                + "  - a Vmo made by Vmo.create(long, int) at "
                + site("Threads.leavesAnUnreachableVmo", "unreachable"));
  }

  @Execution(ExecutionMode.CONCURRENT)
  static class Parallel {
    @RegisterExtension static final ZirconLeakCheck CHECK = new ZirconLeakCheck();
    static final CyclicBarrier BOTH_RUNNING = new CyclicBarrier(2);

    @Test
    void leaks() throws Exception {
      BOTH_RUNNING.await(30, TimeUnit.SECONDS);
      keep(Vmo.create(4096));
      LINES.put("parallel", previousLine());
      BOTH_RUNNING.await(30, TimeUnit.SECONDS);
    }

    @Test
    void closes() throws Exception {
      BOTH_RUNNING.await(30, TimeUnit.SECONDS);
      try (Vmo vmo = Vmo.create(4096)) {
        BOTH_RUNNING.await(30, TimeUnit.SECONDS);
        assertThat(vmo.size()).isEqualTo(4096);
      }
    }
  }

  @Test
  void testsRunningInParallelAreCheckedSeparately() {
    Map<String, TestExecutionResult> results =
        run(
            Parallel.class,
            Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2"));
    assertThat(results.get("closes()").getStatus())
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    // Overlapping tests share the process's handle counts: only the objects are checked.
    assertThat(failure(results.get("leaks()")))
        .startsWith(
            "leaks() left 1 zircon object open:\n  - a Vmo made by Vmo.create(long, int) at "
                + site("Parallel.leaks", "parallel"))
        .doesNotContain("handles");
  }

  @ExtendWith(ZirconLeakCheck.class)
  static class Handles {
    @Test
    void leavesAHandleItReleased() {
      int handle = Vmo.create(4096).release();
      LINES.put("handle", handle);
    }

    @Test
    void closesTheHandleItReleased() {
      Vmo.adopt(Vmo.create(4096).release()).close();
    }
  }

  @Test
  void handlesMadeOutsideTheLibrarysObjectsCountToo() {
    Map<String, TestExecutionResult> results = run(Handles.class, Map.of());
    try {
      assertThat(results.get("closesTheHandleItReleased()").getStatus())
          .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
      assertThat(failure(results.get("leavesAHandleItReleased()")))
          .matches(
              "leavesAHandleItReleased\\(\\) left more handles open in the process than before it"
                  + " \\(VMO handles (\\d+) -> (\\d+)\\): close the handles it made outside"
                  + " zircon4j objects\\.");
    } finally {
      Vmo.adopt(LINES.get("handle")).close();
    }
  }
}
