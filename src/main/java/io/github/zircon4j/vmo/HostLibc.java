package io.github.zircon4j.vmo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which C library the running JVM uses on Linux, so that the matching bundled host emulation is
 * picked. It is read from the process itself, never from files under {@code /etc}: first the C
 * library mapped into this process ({@code /proc/self/maps}), else the program interpreter that
 * {@code /proc/self/exe} names in its {@code PT_INTERP} header.
 */
enum HostLibc {
  GLIBC,
  MUSL,
  UNKNOWN;

  /** The C library of this process; {@link #GLIBC} when neither source tells. Read once. */
  static HostLibc current() {
    return Current.LIBC;
  }

  private static final class Current {
    static final HostLibc LIBC = detect();
  }

  private static HostLibc detect() {
    HostLibc libc = UNKNOWN;
    try {
      libc = fromMaps(Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // No /proc (or an unreadable one): try the interpreter.
    }
    if (libc == UNKNOWN) {
      try {
        libc = fromInterpreter(interpreterOf(Files.readAllBytes(Path.of("/proc/self/exe"))));
      } catch (IOException | RuntimeException e) {
        // Neither source tells: glibc is the common case.
      }
    }
    return libc == UNKNOWN ? GLIBC : libc;
  }

  /** Classifies the mapped files in {@code /proc/self/maps} lines. */
  static HostLibc fromMaps(List<String> mapsLines) {
    for (String line : mapsLines) {
      int slash = line.indexOf('/');
      if (slash < 0) {
        continue;
      }
      HostLibc libc = fromLibraryPath(line.substring(slash).strip());
      if (libc != UNKNOWN) {
        return libc;
      }
    }
    return UNKNOWN;
  }

  /** Classifies a program interpreter path such as {@code /lib/ld-musl-x86_64.so.1}. */
  static HostLibc fromInterpreter(String interpreter) {
    return interpreter == null ? UNKNOWN : fromLibraryPath(interpreter);
  }

  private static HostLibc fromLibraryPath(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (name.startsWith("ld-musl-") || name.startsWith("libc.musl-")) {
      return MUSL;
    }
    if (name.startsWith("libc.so.6") || name.startsWith("libc-2.") || name.startsWith("ld-linux")) {
      return GLIBC;
    }
    return UNKNOWN;
  }

  /**
   * The {@code PT_INTERP} string of a 64- or 32-bit ELF executable's bytes, or {@code null} when it
   * has none (a static program) or the bytes are not ELF.
   */
  static String interpreterOf(byte[] elf) {
    if (elf.length < 52 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
      return null;
    }
    boolean is64 = elf[4] == 2;
    ByteBuffer in =
        ByteBuffer.wrap(elf).order(elf[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    long phoff = is64 ? in.getLong(32) : Integer.toUnsignedLong(in.getInt(28));
    int phentsize = Short.toUnsignedInt(in.getShort(is64 ? 54 : 42));
    int phnum = Short.toUnsignedInt(in.getShort(is64 ? 56 : 44));
    for (int i = 0; i < phnum; i++) {
      long header = phoff + (long) i * phentsize;
      if (header + (is64 ? 56 : 32) > elf.length) {
        return null;
      }
      int at = (int) header;
      if (in.getInt(at) != 3) { // PT_INTERP
        continue;
      }
      long offset = is64 ? in.getLong(at + 8) : Integer.toUnsignedLong(in.getInt(at + 4));
      long size = is64 ? in.getLong(at + 32) : Integer.toUnsignedLong(in.getInt(at + 16));
      if (offset < 0 || size <= 0 || offset + size > elf.length) {
        return null;
      }
      int end = (int) (offset + size);
      while (end > offset && elf[end - 1] == 0) {
        end--;
      }
      return new String(elf, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }
    return null;
  }
}
