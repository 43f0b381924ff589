/**
 * Safe, zero-copy views of Fuchsia VMOs: read-only snapshots and writable mappings.
 *
 * <p>Only {@code io.github.zircon4j.vmo} is API. The jextract bindings ({@code
 * io.github.zircon4j.zircon}) stay inside the module.
 */
module io.github.zircon4j.mappedvmo {
  exports io.github.zircon4j.vmo;
}
