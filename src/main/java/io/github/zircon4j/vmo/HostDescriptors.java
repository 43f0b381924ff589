package io.github.zircon4j.vmo;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * What to tell a caller whose call failed with {@code ZX_ERR_NO_RESOURCES} on Linux, where the host
 * emulation answers that when the process (or the system) is out of file descriptors: each VMO that
 * holds data holds one (its memfd), so a program that keeps many written VMOs alive reaches the
 * limit. Nothing here may need a descriptor when it runs: the limit is asked of {@code getrlimit},
 * bound when this class initialises (with the library, see {@link Syscalls}), not read from /proc.
 */
final class HostDescriptors {
  private static final int RLIMIT_NOFILE = 7; // the same on x86_64 and aarch64 Linux

  /** {@code int getrlimit(int resource, struct rlimit *)}, or null off Linux or if not found. */
  private static final MethodHandle GETRLIMIT = bind();

  private HostDescriptors() {}

  @SuppressWarnings("restricted") // a libc function with a pointer to our own 16 bytes
  private static MethodHandle bind() {
    if (!BundledHostLibrary.isLinux()) {
      return null;
    }
    Linker linker = Linker.nativeLinker();
    return linker
        .defaultLookup()
        .find("getrlimit")
        .map(
            address ->
                linker.downcallHandle(
                    address,
                    FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS)))
        .orElse(null);
  }

  /** The explanation to add to the failure's details, or "" off Linux or for another status. */
  static String explain(int status) {
    if (status != ZxStatus.ERR_NO_RESOURCES || GETRLIMIT == null) {
      return "";
    }
    return "; on Linux the zircon host emulation holds one file descriptor per VMO that holds"
        + " data, and this process reached its limit of "
        + softLimit()
        + " open file descriptors (ulimit -n; or the system reached fs.file-max): close the VMOs"
        + " and mappings no longer needed, or raise the limit";
  }

  /** The soft RLIMIT_NOFILE, or "an unknown number" if getrlimit fails. */
  private static String softLimit() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment limits = arena.allocate(2 * ValueLayout.JAVA_LONG.byteSize(), 8);
      // Safety: `limits` is 16 bytes of native memory, ours for the call: struct rlimit (two
      // 64-bit rlim_t), which getrlimit fills and keeps no reference to.
      int rc = (int) GETRLIMIT.invokeExact(RLIMIT_NOFILE, limits);
      if (rc != 0) {
        return "an unknown number";
      }
      long soft = limits.get(ValueLayout.JAVA_LONG, 0);
      return soft < 0 ? "unlimited" : Long.toString(soft);
    } catch (Throwable t) {
      return "an unknown number";
    }
  }
}
