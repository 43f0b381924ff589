package io.github.zircon4j.vmo.testing;

import io.github.zircon4j.vmo.internal.TestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves zircon objects open: each {@link
 * io.github.zircon4j.vmo.Vmo}, {@link io.github.zircon4j.vmo.ImmutableMapping} or {@link
 * io.github.zircon4j.vmo.Mapping} the test made and did not close is named with the line that made
 * it, and the process's handle counts must not have grown.
 *
 * <pre>{@code
 * @ExtendWith(ZirconLeakCheck.class)
 * class MyComponentTest { ... }
 * }</pre>
 *
 * <p>or, to choose the checks, {@code @RegisterExtension static final ZirconLeakCheck leaks =
 * ZirconLeakCheck.objectsOnly();}.
 *
 * <p><b>Which objects are the test's.</b> Those made, between the start of its {@code @BeforeEach}
 * methods and the end of its {@code @AfterEach} methods, by the thread that runs it and by the
 * threads that thread starts in that time (and the threads those start): the test's scope passes to
 * a new thread when the {@link Thread} is constructed. Threads that existed before the test, such
 * as those of a shared pool or of {@code ForkJoinPool.commonPool()}, are not in it: objects they
 * make are no test's. Objects made before the test ({@code @BeforeAll}, static fields) are not its
 * fault. Tests running in parallel each have their own scope. While a test runs, each object the
 * library makes costs a stack walk (the line that made it); outside leak-checked tests, nothing.
 *
 * <p><b>Handles.</b> The check also compares the process's open handles by object type ({@code
 * ZX_INFO_PROCESS_HANDLE_STATS} of {@code zx_process_self()}) after the test with those before it,
 * so handles made outside this library (an event, a raw {@code zx_vmo_create}) count too, on the
 * host emulation and on Fuchsia alike; handles open before the test are not its fault, and fewer
 * handles are never a failure. The counts are the whole process's, so this part runs only for a
 * test that no other leak-checked test overlapped in time (under parallel execution, the object
 * check alone). {@link #objectsOnly()} turns it off, for tests whose component keeps handles on
 * purpose.
 *
 * <p>JUnit Jupiter's API must be on the test class path; the library itself does not need it.
 */
public final class ZirconLeakCheck implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ZirconLeakCheck.class);

  /** The leak-checked tests running now, to tell whether one overlapped another. */
  private static final Set<Run> RUNNING = ConcurrentHashMap.newKeySet();

  private final boolean checkHandles;

  /** Checks both the library's objects and the process's handle counts. */
  public ZirconLeakCheck() {
    this(true);
  }

  private ZirconLeakCheck(boolean checkHandles) {
    this.checkHandles = checkHandles;
  }

  /**
   * A check of the library's objects only, without the process's handle counts.
   *
   * @return the extension, for {@code @RegisterExtension}
   */
  public static ZirconLeakCheck objectsOnly() {
    return new ZirconLeakCheck(false);
  }

  /** One test's check. */
  private static final class Run {
    final TestSupport.LeakScope scope;
    final int[] handlesBefore;
    volatile boolean overlapped;

    Run(TestSupport.LeakScope scope, int[] handlesBefore) {
      this.scope = scope;
      this.handlesBefore = handlesBefore;
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    TestSupport.Library library = TestSupport.library();
    int[] before = checkHandles ? library.processHandleCounts() : null;
    Run run = new Run(library.openLeakScope(), before);
    synchronized (RUNNING) {
      if (!RUNNING.isEmpty()) {
        run.overlapped = true;
        RUNNING.forEach(other -> other.overlapped = true);
      }
      RUNNING.add(run);
    }
    context.getStore(NAMESPACE).put(Run.class, run);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Run run = context.getStore(NAMESPACE).remove(Run.class, Run.class);
    if (run == null) {
      return; // beforeEach failed: it reported why
    }
    synchronized (RUNNING) {
      RUNNING.remove(run);
    }
    run.scope.close();
    List<String> unclosed = run.scope.unclosed();
    List<String> grown = new ArrayList<>();
    if (run.handlesBefore != null && !run.overlapped) {
      int[] after = TestSupport.library().processHandleCounts();
      for (int type = 0; type < after.length; type++) {
        int before = type < run.handlesBefore.length ? run.handlesBefore[type] : 0;
        if (after[type] > before) {
          grown.add(typeName(type) + " " + before + " -> " + after[type]);
        }
      }
    }
    if (unclosed.isEmpty() && grown.isEmpty()) {
      return;
    }
    StringBuilder report = new StringBuilder();
    if (!unclosed.isEmpty()) {
      report
          .append(context.getDisplayName())
          .append(" left ")
          .append(unclosed.size())
          .append(unclosed.size() == 1 ? " zircon object" : " zircon objects")
          .append(" open:");
      unclosed.forEach(line -> report.append("\n  - ").append(line));
      report.append("\nClose each one (try-with-resources) before the test ends.");
    }
    if (!grown.isEmpty()) {
      report
          .append(report.isEmpty() ? context.getDisplayName() + " left" : "\nIt also left")
          .append(" more handles open in the process than before it (")
          .append(String.join(", ", grown))
          .append(")")
          .append(
              unclosed.isEmpty()
                  ? ": close the handles it made outside zircon4j objects."
                  : "; the objects above hold some of them.");
    }
    throw new AssertionError(report.toString());
  }

  /** zircon's names of object types ({@code ZX_OBJ_TYPE_*}), or the number. */
  private static String typeName(int type) {
    return switch (type) {
          case 1 -> "PROCESS";
          case 2 -> "THREAD";
          case 3 -> "VMO";
          case 4 -> "CHANNEL";
          case 5 -> "EVENT";
          case 6 -> "PORT";
          case 14 -> "SOCKET";
          case 16 -> "EVENTPAIR";
          case 17 -> "JOB";
          case 18 -> "VMAR";
          case 22 -> "TIMER";
          case 28 -> "PAGER";
          default -> "object type " + type;
        }
        + " handles";
  }
}
