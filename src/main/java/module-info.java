/**
 * Safe, zero-copy views of Fuchsia VMOs: read-only snapshots and writable mappings.
 *
 * <p>{@code io.github.zircon4j.vmo} is the API; {@code io.github.zircon4j.vmo.testing} is test
 * support for code that uses it (injected syscall failures, a per-test leak check for JUnit 5). The
 * jextract bindings ({@code io.github.zircon4j.zircon}) and {@code io.github.zircon4j.vmo.internal}
 * stay inside the module. JUnit is optional: only {@code ZirconLeakCheck} needs it, at run time of
 * the tests that use it.
 */
module io.github.zircon4j.mappedvmo {
  requires static org.junit.jupiter.api;

  exports io.github.zircon4j.vmo;
  exports io.github.zircon4j.vmo.testing;
}
