package io.github.zircon4j.vmo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A sealed in-memory file ({@code memfd_create}) holding the bundled library: nothing is written to
 * any file system, so nothing can be left behind, and once sealed nobody can change its bytes. It
 * is loaded through {@code /proc/self/fd/N}; the mapping keeps it alive after the descriptor is
 * closed.
 */
final class MemoryFile {
  private static final int MFD_CLOEXEC = 0x1;
  private static final int MFD_ALLOW_SEALING = 0x2;

  /** Linux 6.3+: asks for an executable memfd where {@code vm.memfd_noexec} would refuse one. */
  private static final int MFD_EXEC = 0x10;

  private static final int EINVAL = 22;
  private static final int F_ADD_SEALS = 1033;
  private static final int F_SEAL_SEAL = 0x1;
  private static final int F_SEAL_SHRINK = 0x2;
  private static final int F_SEAL_GROW = 0x4;
  private static final int F_SEAL_WRITE = 0x8;

  private MemoryFile() {}

  /** Why no in-memory file could be made or loaded; the caller falls back to a directory. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /** Creates, fills, seals and loads an in-memory copy of {@code library}; returns its handle. */
  static MemorySegment load(byte[] library, DynamicLinker linker) throws Refused {
    Linker c = Linker.nativeLinker();
    var libc = c.defaultLookup();
    StructLayout state = Linker.Option.captureStateLayout();
    VarHandle errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    MethodHandle memfdCreate =
        libc.find("memfd_create")
            .map(
                address ->
                    c.downcallHandle(
                        address,
                        FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                        Linker.Option.captureCallState("errno")))
            .orElseThrow(() -> new Refused("the C library has no memfd_create"));
    MethodHandle fcntl =
        c.downcallHandle(
            libc.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"));
    MethodHandle close =
        c.downcallHandle(
            libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment callState = arena.allocate(state);
      MemorySegment name = arena.allocateFrom("libzircon.so");
      // Safety: `name` and `callState` live until the end of this block; memfd_create copies the
      // name and writes errno into callState only.
      int fd =
          (int)
              memfdCreate.invokeExact(callState, name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
      if (fd < 0 && (int) errno.get(callState, 0L) == EINVAL) {
        // Kernels before 6.3 do not know MFD_EXEC; their memfds are executable anyway.
        fd = (int) memfdCreate.invokeExact(callState, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
      }
      if (fd < 0) {
        throw new Refused("memfd_create failed with errno " + (int) errno.get(callState, 0L));
      }
      try {
        Path file = Path.of("/proc/self/fd/" + fd);
        Files.write(file, library);
        int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        // Safety: plain integer arguments; fd is ours and open until the finally block.
        int sealed = (int) fcntl.invokeExact(callState, fd, F_ADD_SEALS, seals);
        if (sealed != 0) {
          throw new Refused(
              "sealing the memfd failed with errno " + (int) errno.get(callState, 0L));
        }
        // Sealed: from here on the bytes cannot change, so checking them once is enough.
        if (!Arrays.equals(Files.readAllBytes(file), library)) {
          throw new Refused("the memfd does not hold the bundled bytes after sealing");
        }
        DynamicLinker.Opened opened = linker.open(file.toString(), DynamicLinker.RTLD_NOW);
        if (!opened.ok()) {
          throw new Refused("dlopen of the memfd failed: " + opened.error());
        }
        // While the descriptor is open, so /proc/self/fd/N still names the memfd.
        ZirconLibrary.exposeToBindings(file);
        return opened.handle();
      } catch (IOException e) {
        throw new Refused("writing the memfd failed: " + e);
      } finally {
        // Safety: closes only the descriptor made above; the mapping, if any, keeps the file.
        int ignored = (int) close.invokeExact(fd);
      }
    } catch (Refused | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
