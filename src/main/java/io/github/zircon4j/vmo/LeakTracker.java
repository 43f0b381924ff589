package io.github.zircon4j.vmo;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Releases native resources whose owner became unreachable without {@code close()}, and reports
 * each such leak once per creation site through {@link System.Logger} (logger {@value
 * #LOGGER_NAME}, level {@code WARNING}).
 *
 * <p>{@code -Dzircon4j.leakDetection=off|on|trace} (read once, default {@code on}):
 *
 * <ul>
 *   <li>{@code off}: leaked resources are still released; nothing is reported.
 *   <li>{@code on}: the first leak of each creation site is reported. No stack trace is ever
 *       allocated: a site is the public factory that made the resource (for example {@code
 *       ImmutableMapping.create}: the method the user called, whatever its overload), a constant
 *       the factory passes in. Naming the caller's own line would take a stack walk per creation
 *       (microseconds, as much as the whole create + close), so {@code on} says which factory
 *       leaked and how to find the callers.
 *   <li>{@code trace}: each resource records its creation stack; a site is the first frame outside
 *       this package (the caller's line), and the report carries the whole stack.
 * </ul>
 *
 * <p>What is watched is the object whose reachability guards the resource: for a mapping the
 * segment's scope ({@code segment.scope()}), which every slice of the segment and every {@link
 * java.nio.ByteBuffer} view keeps reachable, so a caller holding only a buffer keeps the mapping;
 * for a {@link Vmo} the {@code Vmo} itself. The release action references neither that object nor
 * its arena (a Cleaner action that did would keep it reachable forever).
 *
 * <p>An explicit {@code close()} releases the resource itself and then calls {@link
 * Tracked#closed()}, which deregisters the action without running it.
 */
final class LeakTracker {
  static final String LOGGER_NAME = "io.github.zircon4j.vmo";

  enum Mode {
    OFF,
    ON,
    TRACE
  }

  static final Mode MODE = Configuration.LEAK_DETECTION;

  private static final Cleaner CLEANER =
      Cleaner.create(
          runnable -> {
            Thread thread = new Thread(runnable, "zircon4j-leak-cleaner");
            thread.setDaemon(true);
            return thread;
          });

  /** The sites already reported: each leaking site is reported once, however often it leaks. */
  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  private static final Object RELEASED_LOCK = new Object();
  private static long releasedLeaks;

  private LeakTracker() {}

  /**
   * Watches {@code guard}: once it is unreachable and {@link Tracked#closed()} was never called,
   * {@code release} runs on the cleaner thread and the leak is reported.
   *
   * @param guard the object whose reachability guards the resource
   * @param what the resource in the report, e.g. "ImmutableMapping"
   * @param factory the public factory that made it, e.g. "ImmutableMapping.create"
   * @param release frees the native resource; must not reference {@code guard} (or it is never
   *     unreachable) and must not throw
   */
  static Tracked track(Object guard, String what, String factory, Runnable release) {
    Tracked tracked =
        MODE == Mode.TRACE
            ? new Tracked(what, factory, release, new Throwable("created here"), caller())
            : new Tracked(what, factory, release, null, factory);
    Scope scope = OPEN_SCOPES.get() == 0 ? null : CURRENT_SCOPE.get();
    if (scope != null && scope.open) {
      tracked.scope = scope;
      tracked.line = MODE == Mode.TRACE ? tracked.site : caller();
      tracked.thread = Thread.currentThread().getName();
      scope.live.add(tracked);
    }
    tracked.cleanable = CLEANER.register(guard, tracked);
    return tracked;
  }

  // ---- Scopes: per-test attribution for ZirconLeakCheck ---------------------------------------

  /** Scopes open anywhere: while 0, {@link #track} costs one read more, and no stack walk. */
  private static final AtomicInteger OPEN_SCOPES = new AtomicInteger();

  /**
   * The scope of the current thread. Inheritable: a thread started by a thread in a scope is in it
   * too (the value is copied when the Thread is constructed), so objects made by the threads a test
   * starts count as the test's. Threads that existed before (a shared pool's) are not.
   */
  private static final InheritableThreadLocal<Scope> CURRENT_SCOPE = new InheritableThreadLocal<>();

  /**
   * The objects made by one test's threads while its scope is open: each records the line that made
   * it and its thread (a stack walk per creation, paid only while a scope is open).
   */
  static final class Scope {
    private final Set<Tracked> live = ConcurrentHashMap.newKeySet();
    private volatile boolean open = true;

    /**
     * The scope the opening thread was in before, back in force when this one closes: a thread that
     * waits inside a test may run another test's callbacks (JUnit's work-stealing pool).
     */
    private final Scope previous;

    private Scope(Scope previous) {
      this.previous = previous;
    }

    /** One line per object made in this scope and not closed (a leak released by GC included). */
    List<String> unclosed() {
      List<String> lines = new ArrayList<>();
      for (Tracked t : live) {
        lines.add(
            article(t.what)
                + " made by "
                + t.factory
                + " at "
                + t.line
                + " on thread \""
                + t.thread
                + "\""
                + (t.released ? " (since unreachable: the garbage collector released it)" : ""));
      }
      lines.sort(null);
      return lines;
    }

    /** Stops attributing: objects made from now on, on any thread, are not this scope's. */
    void close() {
      if (open) {
        open = false;
        OPEN_SCOPES.decrementAndGet();
        if (CURRENT_SCOPE.get() == this) {
          if (previous != null && previous.open) {
            CURRENT_SCOPE.set(previous);
          } else {
            CURRENT_SCOPE.remove();
          }
        }
      }
    }
  }

  /** Opens a scope for the current thread and the threads it starts from now on. */
  static Scope openScope() {
    Scope scope = new Scope(CURRENT_SCOPE.get());
    OPEN_SCOPES.incrementAndGet();
    CURRENT_SCOPE.set(scope);
    return scope;
  }

  private static String article(String what) {
    return ("AEIOU".indexOf(what.charAt(0)) >= 0 ? "an " : "a ") + what;
  }

  /** One watched resource: the cleaner's action, run once (by a leak or by {@link #closed()}). */
  static final class Tracked implements Runnable {
    private final String what;
    private final String factory;
    private final Runnable release;
    private final Throwable creation;
    private final String site;
    private Cleaner.Cleanable cleanable;

    /** The leak-check scope it was made in, its creating line and thread; null outside scopes. */
    private Scope scope;

    private String line;
    private String thread;

    /** The cleaner released it (it became unreachable unclosed). */
    private volatile boolean released;

    /**
     * Set by {@link #closed()} just before it deregisters through {@code clean()}, on the same
     * thread, which then runs this action once more: it must do nothing. The cleaner thread itself
     * only runs the action if {@code clean()} was never called (the Cleanable runs it once).
     */
    private boolean closedExplicitly;

    private Tracked(
        String what, String factory, Runnable release, Throwable creation, String site) {
      this.what = what;
      this.factory = factory;
      this.release = release;
      this.creation = creation;
      this.site = site;
    }

    /** The owner released the resource itself: forget it, without releasing or reporting. */
    void closed() {
      closedExplicitly = true;
      if (scope != null) {
        scope.live.remove(this);
      }
      cleanable.clean();
    }

    @Override
    public void run() {
      if (closedExplicitly) {
        return;
      }
      released = true;
      try {
        release.run();
      } finally {
        countReleased();
        if (MODE != Mode.OFF) {
          report(this);
        }
      }
    }
  }

  private static void report(Tracked leak) {
    try {
      String site = leak.site;
      if (!REPORTED.add(leak.what + " at " + site)) {
        return;
      }
      boolean traced = leak.creation != null;
      String message =
          "LEAK: "
              + article(leak.what)
              + " made by "
              + leak.factory
              + (traced ? " at " + site : "")
              + " became unreachable without close(); it was released now. Close it (for example"
              + " in try-with-resources) to release it promptly. "
              + (traced
                  ? "Reported once per creation site; it was created at:"
                  : "Reported once per factory; run with -Dzircon4j.leakDetection=trace to see"
                      + " where each leaked resource was created.");
      System.Logger logger = System.getLogger(LOGGER_NAME);
      if (traced) {
        logger.log(System.Logger.Level.WARNING, message, leak.creation);
      } else {
        logger.log(System.Logger.Level.WARNING, message);
      }
    } catch (RuntimeException | Error failedToReport) {
      // A broken logger must not stop the cleaner thread, which releases every later leak.
    }
  }

  /** Where the library's own classes come from (its JAR, or its classes directory). */
  private static final java.security.CodeSource LIBRARY =
      LeakTracker.class.getProtectionDomain().getCodeSource();

  /**
   * The first frame of the current stack outside this library: the line that made the resource.
   * Classes are told apart by where they were loaded from, since callers (tests, for one) may share
   * the library's package.
   */
  private static String caller() {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
        .walk(
            frames ->
                frames
                    .filter(
                        frame -> {
                          java.security.CodeSource source =
                              frame.getDeclaringClass().getProtectionDomain().getCodeSource();
                          return LIBRARY == null ? source != null : !LIBRARY.equals(source);
                        })
                    .findFirst()
                    .map(StackWalker.StackFrame::toStackTraceElement)
                    .map(StackTraceElement::toString)
                    .orElse("(unknown)"));
  }

  private static void countReleased() {
    synchronized (RELEASED_LOCK) {
      releasedLeaks++;
      RELEASED_LOCK.notifyAll();
    }
  }

  /** How many leaked resources the cleaner has released so far (for tests). */
  static long releasedLeaks() {
    synchronized (RELEASED_LOCK) {
      return releasedLeaks;
    }
  }

  /**
   * Waits until at least {@code count} leaks were released in total, or {@code timeoutMillis}
   * passed (for tests, after a {@link System#gc()}).
   *
   * @return the number released when it returns
   */
  static long awaitReleasedLeaks(long count, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    synchronized (RELEASED_LOCK) {
      while (releasedLeaks < count) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          break;
        }
        RELEASED_LOCK.wait(left);
      }
      return releasedLeaks;
    }
  }
}
