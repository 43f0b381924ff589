package io.github.zircon4j.vmo;

import io.github.zircon4j.vmo.internal.TestSupport;
import java.util.List;

/**
 * The library's side of {@link TestSupport}: what {@code io.github.zircon4j.vmo.testing} may use of
 * this package's internals. Registered when this class initialises.
 */
final class TestSupportImpl implements TestSupport.Library {
  static {
    TestSupport.register(new TestSupportImpl());
  }

  private TestSupportImpl() {}

  @Override
  public List<String> faultSyscalls() {
    return FaultControl.instance().syscalls();
  }

  @Override
  public int faultArm(
      String syscall,
      int status,
      int skip,
      int count,
      int handle,
      boolean byHandle,
      long option,
      boolean byOption) {
    int match =
        (byHandle ? FaultControl.MATCH_HANDLE : 0) | (byOption ? FaultControl.MATCH_OPTION : 0);
    return FaultControl.instance().arm(syscall, status, skip, count, match, handle, option);
  }

  @Override
  public int faultRemaining(int id) {
    return FaultControl.instance().remaining(id);
  }

  @Override
  public int faultDisarm(int id) {
    return FaultControl.instance().disarm(id);
  }

  @Override
  public List<String> traceSyscalls(Runnable action) {
    FaultControl control = FaultControl.instance();
    // Syscalls' initialisation makes calls of its own (the page size, the root VMAR's handle):
    // made before the trace starts, they are not counted as the action's.
    Syscalls.roundUpToPage(1);
    List<String> calls;
    control.traceStart();
    try {
      action.run();
    } finally {
      calls = control.traceStop();
    }
    return calls;
  }

  @Override
  public TestSupport.LeakScope openLeakScope() {
    LeakTracker.Scope scope = LeakTracker.openScope();
    return new TestSupport.LeakScope() {
      @Override
      public List<String> unclosed() {
        return scope.unclosed();
      }

      @Override
      public void close() {
        scope.close();
      }
    };
  }

  @Override
  public int[] processHandleCounts() {
    return Syscalls.processHandleCounts();
  }
}
