/**
 * Safe, zero-copy views of Fuchsia VMOs: read-only snapshots and writable mappings.
 *
 * <p>{@link io.github.zircon4j.vmo.Vmo} owns a VMO handle; {@link
 * io.github.zircon4j.vmo.ImmutableMapping} maps a copy-on-write snapshot of one, read-only, and
 * {@link io.github.zircon4j.vmo.Mapping} maps one as it is, read-write or read-only; both expose
 * the bytes as a {@link java.lang.foreign.MemorySegment} and a {@link java.nio.ByteBuffer}. {@link
 * io.github.zircon4j.vmo.ZxRights}, {@link io.github.zircon4j.vmo.VmoOption}, {@link
 * io.github.zircon4j.vmo.VmoChildOption} and {@link io.github.zircon4j.vmo.MapOption} are types of
 * their own, so that none can be passed for another; {@link io.github.zircon4j.vmo.ZxStatus} names
 * the status codes; {@link io.github.zircon4j.vmo.ZxException} reports a failed syscall with its
 * status and {@linkplain io.github.zircon4j.vmo.ZxException.Step step}. The project's {@code
 * docs/api-design.md} maps every item of Rust's {@code mapped_vmo} and C++'s {@code fzl} mappers to
 * its Java counterpart and states the lifetime model. The resources belong in try-with-resources:
 *
 * <pre>{@code
 * try (Mapping writer = Mapping.allocate(1 << 20)) {
 *   writer.segment().setString(0, "hello");
 *   try (ImmutableMapping snapshot = ImmutableMapping.create(writer.vmo())) {
 *     writer.segment().setString(0, "HELLO"); // not seen by the snapshot
 *     String seen = snapshot.segment().getString(0); // "hello"
 *   } // unmapped here; any later access throws IllegalStateException
 * }
 * }</pre>
 *
 * <p>On Fuchsia the syscalls go to the vDSO. On Linux they go to the host emulation of zircon that
 * is bundled in this JAR (or to the {@code libzircon.so} named by the system property {@code
 * zircon4j.library}). Run with {@code --enable-native-access=io.github.zircon4j.mappedvmo} on the
 * module path or {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
package io.github.zircon4j.vmo;
