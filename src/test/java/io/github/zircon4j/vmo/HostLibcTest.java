package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Telling glibc from musl by what the process maps and by its program interpreter. */
class HostLibcTest {
  @Test
  void glibcProcessMapsAreRecognised() {
    List<String> maps =
        List.of(
            "55d0c1a00000-55d0c1a01000 r--p 00000000 fe:00 131 /usr/lib/jvm/jdk/bin/java",
            "7f1c2a200000-7f1c2a228000 r--p 00000000 fe:00 4417 /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7ffd4b5f0000-7ffd4b5f2000 r-xp 00000000 00:00 0 [vdso]");
    assertThat(HostLibc.fromMaps(maps)).isEqualTo(HostLibc.GLIBC);
  }

  @Test
  void muslProcessMapsAreRecognised() {
    List<String> maps =
        List.of(
            "5581d6a3f000-5581d6a40000 r--p 00000000 00:2f 2370 /opt/java/openjdk/bin/java",
            "7f5e0b3c1000-7f5e0b3d5000 r--p 00000000 00:2f 1187 /opt/java/openjdk/lib/libjli.so",
            "7f5e0b5e2000-7f5e0b5f6000 r--p 00000000 00:2f 1011 /lib/ld-musl-x86_64.so.1",
            "7f5e0b5f6000-7f5e0b642000 r-xp 00014000 00:2f 1011 /lib/ld-musl-x86_64.so.1");
    assertThat(HostLibc.fromMaps(maps)).isEqualTo(HostLibc.MUSL);
  }

  @Test
  void muslLibcSymlinkNameIsRecognised() {
    assertThat(
            HostLibc.fromMaps(
                List.of("7f00-7f01 r-xp 00000000 00:2f 1 /usr/lib/libc.musl-aarch64.so.1")))
        .isEqualTo(HostLibc.MUSL);
  }

  @Test
  void mapsWithoutAnyCLibraryTellNothing() {
    List<String> maps =
        List.of(
            "00400000-00401000 r-xp 00000000 fe:00 1 /usr/local/bin/static-app",
            "7ffd4b5f0000-7ffd4b5f2000 r-xp 00000000 00:00 0 [vdso]",
            "7ffd4b600000-7ffd4b621000 rw-p 00000000 00:00 0 [stack]");
    assertThat(HostLibc.fromMaps(maps)).isEqualTo(HostLibc.UNKNOWN);
  }

  @Test
  void libraryMerelyNamedLikeLibcIsNotMistakenForIt() {
    assertThat(HostLibc.fromMaps(List.of("7f00-7f01 r--p 0 fe:00 1 /opt/app/libcrypto.so.3")))
        .isEqualTo(HostLibc.UNKNOWN);
  }

  @Test
  void interpreterOfAMuslExecutableIsRead() {
    byte[] elf = elf64WithInterpreter("/lib/ld-musl-x86_64.so.1");
    assertThat(HostLibc.interpreterOf(elf)).isEqualTo("/lib/ld-musl-x86_64.so.1");
    assertThat(HostLibc.fromInterpreter(HostLibc.interpreterOf(elf))).isEqualTo(HostLibc.MUSL);
  }

  @Test
  void interpreterOfAGlibcExecutableIsRead() {
    byte[] elf = elf64WithInterpreter("/lib64/ld-linux-x86-64.so.2");
    assertThat(HostLibc.fromInterpreter(HostLibc.interpreterOf(elf))).isEqualTo(HostLibc.GLIBC);
  }

  @Test
  void thisJvmsOwnExecutableNamesTheInterpreterOfTheRunningLibc() throws Exception {
    String interpreter = HostLibc.interpreterOf(Files.readAllBytes(Path.of("/proc/self/exe")));
    assertThat(interpreter).isNotNull();
    assertThat(HostLibc.fromInterpreter(interpreter)).isEqualTo(HostLibc.current());
  }

  @Test
  void bytesThatAreNotElfHaveNoInterpreter() {
    assertThat(HostLibc.interpreterOf("#!/bin/sh\necho hello\n".repeat(4).getBytes())).isNull();
    assertThat(HostLibc.interpreterOf(new byte[0])).isNull();
  }

  @Test
  void truncatedProgramHeadersHaveNoInterpreter() {
    byte[] elf = elf64WithInterpreter("/lib/ld-musl-x86_64.so.1");
    assertThat(HostLibc.interpreterOf(java.util.Arrays.copyOf(elf, 80))).isNull();
  }

  /** A minimal little-endian ELF64 header, one PT_INTERP program header, then the string. */
  private static byte[] elf64WithInterpreter(String interpreter) {
    byte[] path = (interpreter + "\0").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer elf = ByteBuffer.allocate(64 + 56 + path.length).order(ByteOrder.LITTLE_ENDIAN);
    elf.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
    elf.putLong(32, 64); // e_phoff
    elf.putShort(54, (short) 56); // e_phentsize
    elf.putShort(56, (short) 1); // e_phnum
    elf.putInt(64, 3); // p_type = PT_INTERP
    elf.putLong(64 + 8, 120); // p_offset
    elf.putLong(64 + 32, path.length); // p_filesz
    elf.put(120, path);
    return elf.array();
  }
}
