package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.VmoModelStatefulTest.*;
import static io.github.zircon4j.vmo.sequences.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.model.Zx;
import io.github.zircon4j.vmo.model.ZxModel.Result;
import io.github.zircon4j.vmo.sequences.Gen;
import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_vmo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The actions of {@link VmoModelStatefulTest} on VMOs and handles: create, write, read, get and set
 * the size, create a child, duplicate, replace, close, wait, rights and info. Each runs its call on
 * the model and on the bindings and compares.
 */
final class ModelVmoActions {
  private ModelVmoActions() {}

  record Create(long size, int options) implements Action {
    static Create generate(Gen gen) {
      int options =
          gen.frequency(
              w(6, () -> 0), w(4, () -> Zx.VMO_RESIZABLE), w(1, () -> 1), w(1, () -> 1 << 5));
      return new Create(vmoSize(gen), options);
    }

    @Override
    public void run(World world) {
      Result<Integer> expected = world.model.vmoCreate(size, options);
      int[] got = Real.vmoCreate(size, options);
      world.adopt(expected, got[0], got[1], toString());
    }

    @Override
    public List<Action> simpler() {
      return concat(
          each(size, s -> new Create(s, options)), eachBits(options, o -> new Create(size, o)));
    }

    @Override
    public String toString() {
      return "zx_vmo_create(size=" + u64(size) + ", options=" + hex(options) + ")";
    }
  }

  record Write(int token, long offset, int length, int seed) implements Action {
    static Write generate(Gen gen, World world) {
      int token = world.anyHandle(gen, true);
      long[] range = range(gen, world.sizeHint(token));
      return new Write(token, range[0], (int) range[1], gen.between(0, 255));
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      byte[] data = pattern(length, seed);
      int expected = world.model.vmoWrite(token, offset, data);
      int got = Real.vmoWrite(world.realHandle(token), offset, data);
      outcome(toString(), got);
      assertThat(name(got)).as(toString()).isEqualTo(name(expected));
    }

    @Override
    public List<Action> simpler() {
      return concat(
          each(offset, o -> new Write(token, o, length, seed)),
          eachInt(length, l -> new Write(token, offset, l, seed)),
          eachInt(seed, s -> new Write(token, offset, length, s)));
    }

    @Override
    public String toString() {
      return "zx_vmo_write("
          + tokenName(token)
          + ", offset="
          + u64(offset)
          + ", len="
          + length
          + ", seed="
          + seed
          + ")";
    }
  }

  record Read(int token, long offset, int length) implements Action {
    static Read generate(Gen gen, World world) {
      int token = world.anyHandle(gen, true);
      long[] range = range(gen, world.sizeHint(token));
      return new Read(token, range[0], (int) range[1]);
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<byte[]> expected = world.model.vmoRead(token, offset, length);
      byte[] into = new byte[length];
      int got = Real.vmoRead(world.realHandle(token), offset, into);
      outcome(toString(), got);
      assertThat(name(got)).as(toString()).isEqualTo(name(expected.status()));
      if (got == Zx.OK) {
        assertBytes(into, expected.value(), toString());
      }
    }

    @Override
    public List<Action> simpler() {
      return concat(
          each(offset, o -> new Read(token, o, length)),
          eachInt(length, l -> new Read(token, offset, l)));
    }

    @Override
    public String toString() {
      return "zx_vmo_read("
          + tokenName(token)
          + ", offset="
          + u64(offset)
          + ", len="
          + length
          + ")";
    }
  }

  record GetSize(int token) implements Action {
    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<Long> expected = world.model.vmoGetSize(token);
      long[] got = Real.vmoGetSize(world.realHandle(token));
      outcome(toString(), (int) got[0]);
      assertThat(name((int) got[0])).as(toString()).isEqualTo(name(expected.status()));
      if (got[0] == Zx.OK) {
        assertThat(got[1]).as(toString()).isEqualTo(expected.value());
      }
    }

    @Override
    public List<Action> simpler() {
      return List.of();
    }

    @Override
    public String toString() {
      return "zx_vmo_get_size(" + tokenName(token) + ")";
    }
  }

  record SetSize(int token, long size) implements Action {
    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      int expected = world.model.vmoSetSize(token, size);
      int got = Zircon.zx_vmo_set_size(world.realHandle(token), size);
      outcome(toString(), got);
      assertThat(name(got)).as(toString()).isEqualTo(name(expected));
      world.checkSignals(toString());
    }

    @Override
    public List<Action> simpler() {
      return each(size, s -> new SetSize(token, s));
    }

    @Override
    public String toString() {
      return "zx_vmo_set_size(" + tokenName(token) + ", size=" + u64(size) + ")";
    }
  }

  record CreateChild(int token, int options, long offset, long size) implements Action {
    static CreateChild generate(Gen gen, World world) {
      int type =
          gen.frequency(
              w(4, () -> Zx.CHILD_SNAPSHOT),
              w(3, () -> Zx.CHILD_SNAPSHOT_AT_LEAST_ON_WRITE),
              w(4, () -> Zx.CHILD_SLICE),
              w(1, () -> 0),
              w(1, () -> Zx.CHILD_SNAPSHOT | Zx.CHILD_SLICE),
              w(1, () -> Zx.CHILD_SNAPSHOT | 1 << 1));
      int modifiers =
          gen.frequency(
              w(5, () -> 0),
              w(3, () -> Zx.CHILD_NO_WRITE),
              w(3, () -> Zx.CHILD_RESIZABLE),
              w(1, () -> Zx.CHILD_RESIZABLE | Zx.CHILD_NO_WRITE));
      int token = world.anyHandle(gen, true);
      long size = world.sizeHint(token);
      long offset =
          gen.frequency(
              w(8, () -> gen.between(0L, size / PAGE + 1) * PAGE),
              w(1, () -> gen.oneOf(1L, PAGE + 7)),
              w(1, () -> gen.oneOf(-PAGE, Long.MIN_VALUE)));
      return new CreateChild(token, type | modifiers, offset, vmoSize(gen));
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<Integer> expected = world.model.vmoCreateChild(token, options, offset, size);
      int[] got = Real.vmoCreateChild(world.realHandle(token), options, offset, size);
      world.adopt(expected, got[0], got[1], toString());
      world.checkSignals(toString());
    }

    @Override
    public List<Action> simpler() {
      return concat(
          eachBits(options, o -> new CreateChild(token, o, offset, size)),
          each(offset, o -> new CreateChild(token, options, o, size)),
          each(size, s -> new CreateChild(token, options, offset, s)));
    }

    @Override
    public String toString() {
      return "zx_vmo_create_child("
          + tokenName(token)
          + ", options="
          + hex(options)
          + ", offset="
          + u64(offset)
          + ", size="
          + u64(size)
          + ")";
    }
  }

  record Duplicate(int token, int rights) implements Action {
    static Duplicate generate(Gen gen, World world) {
      int token = world.anyHandle(gen, false);
      return new Duplicate(token, rightsFor(gen, world, token));
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<Integer> expected = world.model.handleDuplicate(token, rights);
      int[] got = Real.duplicate(world.realHandle(token), rights);
      world.adopt(expected, got[0], got[1], toString());
    }

    @Override
    public List<Action> simpler() {
      return eachBits(rights, r -> new Duplicate(token, r));
    }

    @Override
    public String toString() {
      return "zx_handle_duplicate(" + tokenName(token) + ", rights=" + hex(rights) + ")";
    }
  }

  record Replace(int token, int rights) implements Action {
    static Replace generate(Gen gen, World world) {
      int token = world.anyHandle(gen, false);
      return new Replace(token, rightsFor(gen, world, token));
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<Integer> expected = world.model.handleReplace(token, rights);
      int[] got = Real.replace(world.realHandle(token), rights);
      world.forget(token);
      world.adopt(expected, got[0], got[1], toString());
      world.checkSignals(toString());
    }

    @Override
    public List<Action> simpler() {
      return eachBits(rights, r -> new Replace(token, r));
    }

    @Override
    public String toString() {
      return "zx_handle_replace(" + tokenName(token) + ", rights=" + hex(rights) + ")";
    }
  }

  record Close(int token) implements Action {
    static Close generate(Gen gen, World world) {
      return new Close(gen.frequency(w(10, () -> world.anyHandle(gen, false)), w(1, () -> 0)));
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      int expected = world.model.handleClose(token);
      int got = Zircon.zx_handle_close(world.realHandle(token));
      world.forget(token);
      outcome(toString(), got);
      assertThat(name(got)).as(toString()).isEqualTo(name(expected));
      world.checkSignals(toString());
    }

    @Override
    public List<Action> simpler() {
      return List.of();
    }

    @Override
    public String toString() {
      return "zx_handle_close(" + tokenName(token) + ")";
    }
  }

  record WaitOne(int token, int signals) implements Action {
    static WaitOne generate(Gen gen, World world) {
      int signals =
          gen.frequency(
              w(6, () -> Zx.VMO_ZERO_CHILDREN),
              w(1, () -> 1),
              w(1, () -> 0),
              w(1, () -> -1),
              w(1, () -> Zx.VMO_ZERO_CHILDREN | 1 << 24));
      return new WaitOne(world.anyHandle(gen, false), signals);
    }

    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<Integer> expected = world.model.objectWaitOnePoll(token, signals);
      int[] got = Real.waitOnePoll(world.realHandle(token), signals);
      outcome(toString(), got[0]);
      assertThat(name(got[0])).as(toString()).isEqualTo(name(expected.status()));
      if (got[0] == Zx.OK || got[0] == Zx.ERR_TIMED_OUT) {
        assertThat(hex(got[1])).as(this + " observed").isEqualTo(hex(expected.value()));
      }
    }

    @Override
    public List<Action> simpler() {
      return eachBits(signals, s -> new WaitOne(token, s));
    }

    @Override
    public String toString() {
      return "zx_object_wait_one("
          + tokenName(token)
          + ", signals="
          + hex(signals)
          + ", ZX_TIME_INFINITE_PAST)";
    }
  }

  record Rights(int token) implements Action {
    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<Integer> expected = world.model.handleBasicRights(token);
      int[] got = Real.handleRights(world.realHandle(token));
      outcome(toString(), got[0]);
      assertThat(name(got[0])).as(toString()).isEqualTo(name(expected.status()));
      if (got[0] == Zx.OK) {
        assertThat(hex(got[1])).as(toString()).isEqualTo(hex(expected.value()));
      }
    }

    @Override
    public List<Action> simpler() {
      return List.of();
    }

    @Override
    public String toString() {
      return "zx_object_get_info(" + tokenName(token) + ", ZX_INFO_HANDLE_BASIC).rights";
    }
  }

  record VmoInfo(int token) implements Action {
    @Override
    public void run(World world) {
      if (!world.knows(token)) {
        return; // a replay in which this handle was never made
      }
      Result<long[]> expected = world.model.vmoInfo(token);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment info = zx_info_vmo.allocate(arena);
        int got =
            Zircon.zx_object_get_info(
                world.realHandle(token),
                Zircon.ZX_INFO_VMO(),
                info,
                info.byteSize(),
                MemorySegment.NULL,
                MemorySegment.NULL);
        outcome(toString(), got);
        assertThat(name(got)).as(toString()).isEqualTo(name(expected.status()));
        if (got == Zx.OK) {
          assertThat(
                  "size_bytes "
                      + zx_info_vmo.size_bytes(info)
                      + ", num_mappings "
                      + zx_info_vmo.num_mappings(info))
              .as(toString())
              .isEqualTo(
                  "size_bytes " + expected.value()[0] + ", num_mappings " + expected.value()[1]);
        }
      }
    }

    @Override
    public List<Action> simpler() {
      return List.of();
    }

    @Override
    public String toString() {
      return "zx_object_get_info(" + tokenName(token) + ", ZX_INFO_VMO)";
    }
  }
}
