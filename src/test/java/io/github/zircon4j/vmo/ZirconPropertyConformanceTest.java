package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.contentSizeOf;
import static io.github.zircon4j.vmo.ZxTestSupport.filled;
import static io.github.zircon4j.vmo.ZxTestSupport.nameOf;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.rawGetName;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.setContentSizeStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.setName;
import static io.github.zircon4j.vmo.ZxTestSupport.setNameStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoInfo;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoSize;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.NameResult;
import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_vmo;
import io.github.zircon4j.zircon.zx_info_vmo_v1;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * zx_object_get_property / zx_object_set_property (ZX_PROP_NAME, ZX_PROP_VMO_CONTENT_SIZE) and the
 * versioned ZX_INFO_VMO topics.
 */
class ZirconPropertyConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  /** ZX_MAX_NAME_LEN (a method: Zircon is only usable once the library is loaded). */
  private static int nameLen() {
    return (int) Zircon.ZX_MAX_NAME_LEN();
  }

  private static int rightsWithout(int right) {
    return Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~right;
  }

  @Test
  void aNewVmoHasAnEmptyName() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertThat(nameOf(vmo)).isEmpty();
      assertThat(vmoInfo(vmo).name()).isEmpty();
    }
  }

  @Test
  void aNameRoundTripsAndShowsInInfoVmo() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      setName(vmo, "frame-buffer");
      assertThat(nameOf(vmo)).isEqualTo("frame-buffer");
      assertThat(vmoInfo(vmo).name()).isEqualTo("frame-buffer");
      setName(vmo, "fb");
      assertThat(nameOf(vmo)).as("a shorter name replaces the whole old one").isEqualTo("fb");
    }
  }

  @Test
  void getNameFillsAllThirtyTwoBytes() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      setName(vmo, "abc");
      NameResult r = rawGetName(vmo, 40);
      assertOk(r.status(), "get ZX_PROP_NAME into 40 bytes");
      byte[] expected = new byte[nameLen()];
      System.arraycopy("abc".getBytes(StandardCharsets.UTF_8), 0, expected, 0, 3);
      assertThat(java.util.Arrays.copyOf(r.raw(), nameLen())).isEqualTo(expected);
      assertThat(r.raw()[nameLen()])
          .as("bytes past ZX_MAX_NAME_LEN are left alone")
          .isEqualTo((byte) 'x');
    }
  }

  @Test
  void aLongNameIsTruncatedToThirtyOneBytes() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      String longName = "0123456789abcdef0123456789ABCDEF-tail";
      setName(vmo, longName);
      assertThat(nameOf(vmo)).isEqualTo(longName.substring(0, nameLen() - 1));
    }
  }

  @Test
  void aNameEndsAtTheFirstNul() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertOk(setNameStatus(vmo, new byte[] {'a', 'b', 0, 'c', 'd'}), "set name with a NUL");
      assertThat(nameOf(vmo)).isEqualTo("ab");
    }
  }

  @Test
  void readingANameNeedsGetPropertyAndWritingNeedsSetProperty() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noGet = res.duplicate(vmo, rightsWithout(Zircon.ZX_RIGHT_GET_PROPERTY()));
      int noSet = res.duplicate(vmo, rightsWithout(Zircon.ZX_RIGHT_SET_PROPERTY()));
      assertStatus(
          rawGetName(noGet, nameLen()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "get name without GET_PROPERTY");
      assertStatus(
          setNameStatus(noSet, new byte[] {'n'}),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "set name without SET_PROPERTY");
      assertOk(setNameStatus(noGet, new byte[] {'n'}), "set name without GET_PROPERTY");
      assertThat(nameOf(noSet)).isEqualTo("n");
    }
  }

  @Test
  void aNameBufferBelowThirtyTwoBytesIsBufferTooSmall() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          rawGetName(vmo, nameLen() - 1).status(),
          Zircon.ZX_ERR_BUFFER_TOO_SMALL(),
          "get name into 31 bytes");
    }
  }

  @Test
  void aNullValueIsInvalidArgsBeforeTheHandleIsLookedAt() {
    assertStatus(
        Zircon.zx_object_get_property(
            Zircon.ZX_HANDLE_INVALID(), Zircon.ZX_PROP_NAME(), MemorySegment.NULL, 32),
        Zircon.ZX_ERR_INVALID_ARGS(),
        "get with a NULL value and an invalid handle");
    assertStatus(
        Zircon.zx_object_set_property(
            Zircon.ZX_HANDLE_INVALID(), Zircon.ZX_PROP_NAME(), MemorySegment.NULL, 1),
        Zircon.ZX_ERR_INVALID_ARGS(),
        "set with a NULL value and an invalid handle");
    assertStatus(
        rawGetName(Zircon.ZX_HANDLE_INVALID(), 32).status(),
        Zircon.ZX_ERR_BAD_HANDLE(),
        "get name of an invalid handle");
  }

  @Test
  void anUnknownPropertyIsInvalidArgs() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int vmo = res.vmo(pageSize());
      MemorySegment value = arena.allocate(64);
      assertStatus(
          Zircon.zx_object_get_property(vmo, 0xFFFF, value, value.byteSize()),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "get property 0xFFFF");
      assertStatus(
          Zircon.zx_object_set_property(vmo, 0xFFFF, value, value.byteSize()),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "set property 0xFFFF");
    }
  }

  @Test
  void theRootVmarHandleHasNoPropertyRights() {
    assertStatus(
        rawGetName(root(), nameLen()).status(),
        Zircon.ZX_ERR_ACCESS_DENIED(),
        "get name of the root VMAR");
    assertStatus(
        setNameStatus(root(), new byte[] {'r'}),
        Zircon.ZX_ERR_ACCESS_DENIED(),
        "set name of the root VMAR");
  }

  @Test
  void aChildStartsWithItsParentsNameWhenTheParentHandleCanReadIt() {
    try (var res = new Resources()) {
      int parent = res.vmo(2 * pageSize());
      setName(parent, "parent");
      int snapshot = res.child(parent, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      int slice = res.child(parent, Zircon.ZX_VMO_CHILD_SLICE(), pageSize(), pageSize());
      assertThat(nameOf(snapshot)).isEqualTo("parent");
      assertThat(nameOf(slice)).isEqualTo("parent");
      setName(snapshot, "child");
      assertThat(nameOf(parent)).as("the child's name is its own").isEqualTo("parent");
      int blind = res.duplicate(parent, rightsWithout(Zircon.ZX_RIGHT_GET_PROPERTY()));
      int unnamed = res.child(blind, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      assertThat(nameOf(unnamed)).isEmpty();
    }
  }

  @Test
  void contentSizeIsTheSizeGivenToCreateAndSetSize() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(3 * page + 5, Zircon.ZX_VMO_RESIZABLE());
      assertThat(contentSizeOf(vmo)).isEqualTo(3 * page + 5);
      assertOk(Zircon.zx_vmo_set_size(vmo, page + 7), "set_size");
      assertThat(contentSizeOf(vmo)).isEqualTo(page + 7);
      int child = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, 3);
      assertThat(contentSizeOf(child)).isEqualTo(3);
    }
  }

  @Test
  void contentSizeMayExceedTheVmoSize() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      assertOk(setContentSizeStatus(vmo, 10 * page + 1), "set content size past the end");
      assertThat(contentSizeOf(vmo)).isEqualTo(10 * page + 1);
      assertThat(vmoSize(vmo)).isEqualTo(page);
    }
  }

  @Test
  void shrinkingContentSizeZeroesTheBytesAfterIt() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      write(vmo, page - 32, filled(64, 0x11));
      assertOk(setContentSizeStatus(vmo, page - 16), "shrink content size");
      byte[] expected = filled(64, 0);
      java.util.Arrays.fill(expected, 0, 16, (byte) 0x11);
      assertThat(read(vmo, page - 32, 64)).isEqualTo(expected);
    }
  }

  @Test
  void contentSizeBuffersBelowEightBytesAreBufferTooSmall() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int vmo = res.vmo(pageSize());
      MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
      assertStatus(
          Zircon.zx_object_get_property(vmo, Zircon.ZX_PROP_VMO_CONTENT_SIZE(), value, 7),
          Zircon.ZX_ERR_BUFFER_TOO_SMALL(),
          "get content size into 7 bytes");
      assertStatus(
          Zircon.zx_object_set_property(vmo, Zircon.ZX_PROP_VMO_CONTENT_SIZE(), value, 7),
          Zircon.ZX_ERR_BUFFER_TOO_SMALL(),
          "set content size from 7 bytes");
    }
  }

  @Test
  void infoVmoV1IsThePrefixOfTheCurrentRecord() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      assertThat(Zircon.ZX_INFO_VMO_V1()).isEqualTo(23);
      assertThat(Zircon.ZX_INFO_VMO()).isEqualTo((1 << 28) | 23);
      assertThat(zx_info_vmo_v1.sizeof()).isEqualTo(104);
      assertThat(zx_info_vmo.sizeof()).isEqualTo(120);
      int vmo = res.vmo(2 * pageSize());
      setName(vmo, "versions");
      MemorySegment buffer = arena.allocate(zx_info_vmo.sizeof());
      buffer.fill((byte) 0xCD);
      assertOk(
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_VMO_V1(),
              buffer,
              buffer.byteSize(),
              MemorySegment.NULL,
              MemorySegment.NULL),
          "ZX_INFO_VMO_V1");
      assertThat(zx_info_vmo_v1.koid(buffer)).isEqualTo(vmoInfo(vmo).koid());
      assertThat(zx_info_vmo_v1.size_bytes(buffer)).isEqualTo(2 * pageSize());
      assertThat(zx_info_vmo_v1.name(buffer).getString(0, StandardCharsets.UTF_8))
          .isEqualTo("versions");
      assertThat(buffer.asSlice(zx_info_vmo_v1.sizeof()).toArray(ValueLayout.JAVA_BYTE))
          .as("nothing written past the V1 record")
          .containsOnly((byte) 0xCD);
      assertStatus(
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_VMO(),
              buffer,
              zx_info_vmo_v1.sizeof(),
              MemorySegment.NULL,
              MemorySegment.NULL),
          Zircon.ZX_ERR_BUFFER_TOO_SMALL(),
          "the current topic into a V1-sized buffer");
      assertThat(vmoInfo(vmo).metadataBytes()).as("no page yet: no page-list nodes").isZero();
      write(vmo, 0, new byte[] {1});
      assertThat(vmoInfo(vmo).metadataBytes()).isPositive();
      assertThat(vmoInfo(vmo).committedChangeEvents()).isZero();
    }
  }
}
