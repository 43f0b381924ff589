package io.github.zircon4j.vmo.internal;

import java.util.List;

/**
 * Not API: how {@code io.github.zircon4j.vmo.testing} reaches the package-private internals of
 * {@code io.github.zircon4j.vmo} (this package is not exported by the module). The library
 * registers its implementation once, when its class {@code TestSupportImpl} initialises.
 */
public final class TestSupport {
  private static final String IMPLEMENTATION = "io.github.zircon4j.vmo.TestSupportImpl";
  private static volatile Library library;

  private TestSupport() {}

  /** What the testing package needs from the library. */
  public interface Library {
    /** The syscalls that can be failed; throws UnsupportedOperationException off the emulation. */
    List<String> faultSyscalls();

    /** Arms a fault on the calling thread; returns its id. */
    int faultArm(
        String syscall,
        int status,
        int skip,
        int count,
        int handle,
        boolean byHandle,
        long option,
        boolean byOption);

    /** Failures fault {@code id} of the calling thread has left, or -1 if it has no such fault. */
    int faultRemaining(int id);

    /** Removes fault {@code id} of the calling thread; returns its failures left, or -1. */
    int faultDisarm(int id);

    /** Runs {@code action} on the calling thread and returns the syscalls it made, in order. */
    List<String> traceSyscalls(Runnable action);

    /** Starts attributing the library objects made by this thread (and threads it starts). */
    LeakScope openLeakScope();

    /**
     * The process's open handles by object type (index: {@code zx_obj_type_t}), from {@code
     * ZX_INFO_PROCESS_HANDLE_STATS} of {@code zx_process_self()}.
     */
    int[] processHandleCounts();
  }

  /** The library objects one test made. */
  public interface LeakScope {
    /** A line per object made in the scope and never closed, naming it and where it was made. */
    List<String> unclosed();

    /** Stops attributing objects to this scope. */
    void close();
  }

  /** Registers the library's implementation; only the first registration counts. */
  public static synchronized void register(Library implementation) {
    if (library == null) {
      library = implementation;
    }
  }

  /** The library's implementation. */
  public static Library library() {
    Library current = library;
    if (current == null) {
      try {
        Class.forName(IMPLEMENTATION, true, TestSupport.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("zircon4j: " + IMPLEMENTATION + " is missing", e);
      }
      current = library;
    }
    return current;
  }
}
