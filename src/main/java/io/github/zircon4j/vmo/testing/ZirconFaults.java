package io.github.zircon4j.vmo.testing;

import io.github.zircon4j.vmo.ZxStatus;
import io.github.zircon4j.vmo.internal.TestSupport;
import java.util.List;
import java.util.Objects;

/**
 * Injected syscall failures, for tests of code that uses zircon: the next calls of a named syscall
 * fail with a chosen status, so that error paths no real failure reaches on a workstation (a {@code
 * ZX_ERR_NO_MEMORY} from {@code zx_vmar_map}, the third of five syscalls failing) can be tested.
 *
 * <pre>{@code
 * try (InjectedFault fault = ZirconFaults.failNext("zx_vmar_map", ZxStatus.ERR_NO_MEMORY)) {
 *   ZxException e = assertThrows(ZxException.class, () -> ImmutableMapping.create(vmo, false));
 *   assertEquals(ZxStatus.ERR_NO_MEMORY, e.status());
 * } // removed here, whether or not it was used
 * }</pre>
 *
 * <p>A failed call does nothing else, as if the kernel had refused it at its first check: nothing
 * is created, written, mapped or closed. The one exception is zircon's own rule for {@code
 * zx_handle_replace}, which invalidates a valid source handle whatever it returns; an injected
 * failure does the same.
 *
 * <p><b>Per thread.</b> A fault fails only the calls made by the thread that armed it, so tests
 * running in parallel do not see each other's faults; an action that hands its work to another
 * thread does not see it either. It must be armed and closed on the same platform thread (a virtual
 * thread can move between OS threads, and with it its calls; arming on one throws {@link
 * UnsupportedOperationException}). A fault not closed ends with its thread.
 *
 * <p><b>Only on the host emulation.</b> The controls belong to zircon4j's host emulation of zircon
 * (the {@code libzircon.so} bundled in the JAR for Linux). Where another zircon library is in use,
 * on Fuchsia above all, every method but {@link #isSupported()} throws {@link
 * UnsupportedOperationException} saying why.
 *
 * <p>The syscalls that can be failed are those of {@link #syscalls()}: every {@code zx_*} function
 * of the emulation that returns a {@code zx_status_t}.
 */
public final class ZirconFaults {
  private ZirconFaults() {}

  /**
   * Whether injected failures are available: the zircon library in use is zircon4j's host
   * emulation.
   *
   * @return {@code true} on the host emulation, {@code false} elsewhere (Fuchsia)
   */
  public static boolean isSupported() {
    try {
      library().faultSyscalls();
      return true;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * The names of the syscalls that can be failed, such as {@code "zx_vmar_map"}.
   *
   * @return the names, in the emulation's order
   * @throws UnsupportedOperationException if the zircon library in use is not the host emulation
   */
  public static List<String> syscalls() {
    return library().faultSyscalls();
  }

  /**
   * Fails this thread's next call of {@code syscall} with {@code status}.
   *
   * @param syscall the syscall's name, such as {@code "zx_vmar_map"} (one of {@link #syscalls()})
   * @param status the status it returns, a negative {@code ZX_ERR_*} code of {@link ZxStatus}
   * @return the armed fault; close it to remove it
   * @throws IllegalArgumentException if no syscall of that name can be failed, or {@code status} is
   *     not negative
   * @throws UnsupportedOperationException if the zircon library in use is not the host emulation,
   *     or this is a virtual thread
   */
  public static InjectedFault failNext(String syscall, int status) {
    return syscall(syscall).failWith(status);
  }

  /**
   * Fails this thread's next {@code count} calls of {@code syscall} with {@code status}.
   *
   * @param syscall the syscall's name, such as {@code "zx_vmar_map"} (one of {@link #syscalls()})
   * @param status the status they return, a negative {@code ZX_ERR_*} code of {@link ZxStatus}
   * @param count how many calls fail, at least 1
   * @return the armed fault; close it to remove it
   * @throws IllegalArgumentException if no syscall of that name can be failed, {@code status} is
   *     not negative, or {@code count} is not positive
   * @throws UnsupportedOperationException if the zircon library in use is not the host emulation,
   *     or this is a virtual thread
   */
  public static InjectedFault failNext(String syscall, int status, int count) {
    return syscall(syscall).times(count).failWith(status);
  }

  /**
   * Starts describing a fault of {@code syscall} that only some calls hit, or that lets some
   * through first; {@link FaultSpec#failWith(int)} arms it.
   *
   * <pre>{@code
   * try (InjectedFault fault =
   *     ZirconFaults.syscall("zx_vmar_map").withHandle(vmo.handle()).times(2).failWith(ZxStatus.ERR_NO_MEMORY)) {
   *   ...
   * }
   * }</pre>
   *
   * @param syscall the syscall's name, such as {@code "zx_vmar_map"} (one of {@link #syscalls()})
   * @return a fault that fails the next call, to refine
   * @throws IllegalArgumentException if no syscall of that name can be failed
   * @throws UnsupportedOperationException if the zircon library in use is not the host emulation
   */
  public static FaultSpec syscall(String syscall) {
    Objects.requireNonNull(syscall, "syscall");
    List<String> known = syscalls();
    if (!known.contains(syscall)) {
      throw new IllegalArgumentException(
          "no syscall named \""
              + syscall
              + "\" can be failed; the names are those of zircon's functions that return a"
              + " zx_status_t: "
              + String.join(", ", known));
    }
    return new FaultSpec(syscall);
  }

  /**
   * Runs {@code action} on this thread and returns the syscalls it made, in order: which calls an
   * operation makes, so that a test can fail each in turn (with {@link FaultSpec#skip(int)} for the
   * second call of the same syscall, and so on).
   *
   * @param action what to run; its exceptions propagate (the trace ends either way)
   * @return the names of the syscalls it made that can fail, in order
   * @throws UnsupportedOperationException if the zircon library in use is not the host emulation,
   *     or this is a virtual thread
   */
  public static List<String> recordSyscalls(Runnable action) {
    Objects.requireNonNull(action, "action");
    requirePlatformThread();
    return library().traceSyscalls(action);
  }

  static TestSupport.Library library() {
    return TestSupport.library();
  }

  static void requirePlatformThread() {
    if (Thread.currentThread().isVirtual()) {
      throw new UnsupportedOperationException(
          "zircon4j: injected failures belong to an OS thread, and a virtual thread can move from"
              + " one to another between two calls; arm the fault on a platform thread");
    }
  }
}
