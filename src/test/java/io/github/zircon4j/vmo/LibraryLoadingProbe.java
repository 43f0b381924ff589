package io.github.zircon4j.vmo;

/**
 * Run in a fresh JVM by {@link LibraryLoadingTest}: uses the library twice and prints what
 * happened, one line per attempt.
 */
final class LibraryLoadingProbe {
  private LibraryLoadingProbe() {}

  public static void main(String[] args) {
    for (int attempt = 0; attempt < 2; attempt++) {
      try (Vmo vmo = Vmo.create(1)) {
        System.out.println("ok " + vmo.size() + " via " + ZirconLibrary.origin());
      } catch (Throwable t) {
        System.out.println(
            "failed " + t.getClass().getName() + ": " + t.getMessage().replace('\n', '|'));
      }
    }
  }
}
