/**
 * Support for the unit tests of code that uses zircon4j: {@link
 * io.github.zircon4j.vmo.testing.ZirconFaults} makes chosen syscalls fail (on the host emulation of
 * zircon), and {@link io.github.zircon4j.vmo.testing.ZirconLeakCheck}, a JUnit 5 extension, fails a
 * test that leaves zircon objects or handles open.
 *
 * <pre>{@code
 * @ExtendWith(ZirconLeakCheck.class)
 * class CacheTest {
 *   @Test
 *   void aFailedSnapshotLeavesTheCacheUsable() {
 *     try (Mapping data = Mapping.allocate(4096);
 *         InjectedFault fault = ZirconFaults.failNext("zx_vmar_map", ZxStatus.ERR_NO_MEMORY)) {
 *       assertThrows(ZxException.class, () -> ImmutableMapping.create(data.vmo(), false));
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Nothing here is needed at run time by the library itself, and JUnit is an optional dependency:
 * only {@code ZirconLeakCheck} uses it, in tests that have JUnit anyway.
 */
package io.github.zircon4j.vmo.testing;
