/**
 * Safe, zero-copy, read-only views of Fuchsia VMOs.
 *
 * <p>{@link io.github.zircon4j.vmo.Vmo} owns a VMO handle; {@link
 * io.github.zircon4j.vmo.ImmutableMapping} maps a copy-on-write snapshot of one, read-only, and
 * exposes it as a {@link java.lang.foreign.MemorySegment} and a {@link java.nio.ByteBuffer}; {@link
 * io.github.zircon4j.vmo.ZxException} reports a failed syscall with its status. Both resources
 * belong in try-with-resources:
 *
 * <pre>{@code
 * try (Vmo vmo = Vmo.create(1 << 20)) {
 *   vmo.write("hello".getBytes(StandardCharsets.UTF_8), 0);
 *   try (ImmutableMapping snapshot = ImmutableMapping.create(vmo, false)) {
 *     vmo.write("HELLO".getBytes(StandardCharsets.UTF_8), 0); // not seen by the snapshot
 *     byte h = snapshot.segment().get(ValueLayout.JAVA_BYTE, 0); // 'h'
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
