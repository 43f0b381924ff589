package io.github.zircon4j.vmo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a fresh JVM by {@link LibraryLoadingTest}: uses the library twice and prints what
 * happened, one line per attempt, then each line of {@code /proc/self/maps} that maps a file named
 * {@code libzircon.so} ({@code maps ...}).
 */
final class LibraryLoadingProbe {
  private LibraryLoadingProbe() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("reject-first")) {
      // A call rejected before any library is loaded must not initialise the bindings early.
      try {
        ImmutableMapping.create(null);
      } catch (Throwable t) {
        System.out.println("rejected " + t);
      }
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      try (Vmo vmo = Vmo.create(1)) {
        vmo.write(new byte[] {42}, 0);
        byte[] back = new byte[1];
        vmo.read(back, 0);
        try (ImmutableMapping snapshot = ImmutableMapping.create(vmo)) {
          System.out.println(
              "ok "
                  + vmo.size()
                  + " "
                  + back[0]
                  + " "
                  + snapshot.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)
                  + " via "
                  + ZirconLibrary.origin());
        }
      } catch (Throwable t) {
        System.out.println(
            "failed " + t.getClass().getName() + ": " + t.getMessage().replace('\n', '|'));
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      if (line.contains(ZirconLibrary.SONAME)) {
        System.out.println("maps " + line);
      }
    }
  }
}
