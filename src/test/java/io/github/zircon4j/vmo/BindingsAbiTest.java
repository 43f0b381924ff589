package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.zircon.Zircon;
import java.io.IOException;
import java.io.Reader;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated bindings agree with the C compiler's view of {@code native-headers/}: every
 * constant's value and width, every typedef's width, every struct's size and field offsets, and
 * every function's parameter and return widths. The symbols checked are exactly those listed in
 * {@code jextract.properties}, so a symbol added there is checked too.
 */
class BindingsAbiTest {
  private static final Path PROJECT = Path.of(System.getProperty("zircon4j.project.dir", "."));
  private static final Path HEADERS =
      Path.of(
          System.getProperty("zircon4j.headers.dir", PROJECT.resolve("native-headers").toString()));

  private static Map<String, List<String>> symbols;
  private static Map<String, String> c;

  @BeforeAll
  static void compileAndRunAbiProbe(@TempDir Path dir) throws Exception {
    ZirconLibrary.ensureLoaded(); // function descriptors resolve their symbol on first use
    symbols = readSymbolLists();
    Path source = dir.resolve("abi_probe.c");
    Files.writeString(source, probeSource());
    Path binary = dir.resolve("abi_probe");
    run(
        List.of(
            System.getenv().getOrDefault("CC", "cc"),
            "-std=c11",
            "-Wall",
            "-Werror",
            "-I",
            HEADERS.toString(),
            "-o",
            binary.toString(),
            source.toString()));
    c = new LinkedHashMap<>();
    for (String line : run(List.of(binary.toString())).split("\n")) {
      int space = line.lastIndexOf(' ');
      c.put(line.substring(0, space), line.substring(space + 1));
    }
  }

  @Test
  void everyConstantHasTheCValueAndWidth() throws Exception {
    List<String> mismatches = new ArrayList<>();
    for (String name : symbols.get("include-constant")) {
      Method getter = Zircon.class.getMethod(name);
      Object javaValue = getter.invoke(null);
      long cValue = Long.parseLong(c.get("value " + name));
      long cSize = Long.parseLong(c.get("sizeof " + name));
      long javaSize = javaValue instanceof Integer ? 4 : javaValue instanceof Long ? 8 : -1;
      long javaBits = javaValue instanceof Integer i ? i : ((Number) javaValue).longValue();
      long cBits = cSize == 4 ? (int) cValue : cValue;
      if (javaSize != cSize || javaBits != cBits) {
        mismatches.add(
            name
                + ": C has "
                + cValue
                + " ("
                + cSize
                + " bytes), Java has "
                + javaValue
                + " ("
                + javaSize
                + " bytes)");
      }
    }
    assertThat(mismatches).as("constants that differ between C and Java").isEmpty();
  }

  @Test
  void everyTypedefHasTheCWidth() throws Exception {
    List<String> mismatches = new ArrayList<>();
    for (String name : symbols.get("include-typedef")) {
      // Scalar typedefs are layout fields of Zircon; struct typedefs are classes of their own.
      long javaSize =
          isGeneratedClass(name)
              ? structLayout(name).byteSize()
              : ((MemoryLayout) Zircon.class.getField(name).get(null)).byteSize();
      long cSize = Long.parseLong(c.get("sizeof " + name));
      if (javaSize != cSize) {
        mismatches.add(name + ": C has " + cSize + " bytes, Java has " + javaSize);
      }
    }
    assertThat(mismatches).as("typedefs that differ between C and Java").isEmpty();
  }

  @Test
  void everyStructHasTheCSizeAndFieldOffsets() throws Exception {
    List<String> mismatches = new ArrayList<>();
    for (String name : symbols.get("include-struct")) {
      GroupLayout layout = structLayout(name);
      long cSize = Long.parseLong(c.get("sizeof struct " + name));
      if (layout.byteSize() != cSize) {
        mismatches.add(
            "struct " + name + ": C has " + cSize + " bytes, Java has " + layout.byteSize());
      }
      for (String field : cFieldsOf(name)) {
        long cOffset = Long.parseLong(c.get("offsetof " + name + "." + field));
        long cFieldSize = Long.parseLong(c.get("sizeof " + name + "." + field));
        MemoryLayout.PathElement path = MemoryLayout.PathElement.groupElement(field);
        long javaOffset;
        long javaFieldSize;
        try {
          javaOffset = layout.byteOffset(path);
          javaFieldSize = layout.select(path).byteSize();
        } catch (IllegalArgumentException missing) {
          mismatches.add(name + "." + field + ": in C, missing from the Java layout");
          continue;
        }
        if (javaOffset != cOffset || javaFieldSize != cFieldSize) {
          mismatches.add(
              name
                  + "."
                  + field
                  + ": C has offset "
                  + cOffset
                  + " size "
                  + cFieldSize
                  + ", Java has offset "
                  + javaOffset
                  + " size "
                  + javaFieldSize);
        }
      }
    }
    assertThat(mismatches).as("struct layouts that differ between C and Java").isEmpty();
  }

  @Test
  void everyFunctionHasTheCParameterAndReturnWidths() throws Exception {
    Map<String, List<String>> prototypes = cPrototypes();
    List<String> mismatches = new ArrayList<>();
    for (String name : symbols.get("include-function")) {
      FunctionDescriptor descriptor =
          (FunctionDescriptor) Zircon.class.getMethod(name + "$descriptor").invoke(null);
      List<String> params = prototypes.get(name);
      if (params == null) {
        mismatches.add(name + ": no prototype found in " + HEADERS);
        continue;
      }
      List<MemoryLayout> args = descriptor.argumentLayouts();
      if (args.size() != params.size() - 1) {
        mismatches.add(
            name + ": C has " + (params.size() - 1) + " parameters, Java has " + args.size());
        continue;
      }
      long cReturn = Long.parseLong(c.get("sizeof return " + name));
      long javaReturn = descriptor.returnLayout().map(MemoryLayout::byteSize).orElse(0L);
      if (cReturn != javaReturn) {
        mismatches.add(name + " return: C has " + cReturn + " bytes, Java has " + javaReturn);
      }
      for (int i = 0; i < args.size(); i++) {
        long cSize = Long.parseLong(c.get("sizeof param " + name + "." + i));
        if (args.get(i).byteSize() != cSize) {
          mismatches.add(
              name
                  + " parameter "
                  + i
                  + " ("
                  + params.get(i + 1)
                  + "): C has "
                  + cSize
                  + " bytes, Java has "
                  + args.get(i).byteSize());
        }
      }
    }
    assertThat(mismatches).as("function signatures that differ between C and Java").isEmpty();
  }

  @Test
  void bindingsHoldZirconSymbolsOnly() {
    List<String> foreign =
        Arrays.stream(Zircon.class.getMethods())
            .filter(m -> Modifier.isStatic(m.getModifiers()))
            .filter(m -> m.getDeclaringClass() == Zircon.class)
            .map(Method::getName)
            .filter(n -> !n.matches("(zx_|ZX_|__ZX_).*"))
            .distinct()
            .sorted()
            .collect(Collectors.toList());
    assertThat(foreign).as("non-zircon symbols in the bindings (glibc leaking in?)").isEmpty();
    List<String> listed = new ArrayList<>();
    symbols.values().forEach(listed::addAll);
    assertThat(listed)
        .as("the filters name each required syscall")
        .contains(
            "zx_vmo_create",
            "zx_vmo_read",
            "zx_vmo_write",
            "zx_vmo_get_size",
            "zx_vmo_set_size",
            "zx_vmo_create_child",
            "zx_vmo_op_range",
            "zx_vmar_map",
            "zx_vmar_unmap",
            "zx_vmar_op_range",
            "zx_vmar_root_self",
            "zx_handle_close",
            "zx_handle_duplicate",
            "zx_handle_replace",
            "zx_object_wait_one",
            "zx_object_get_info",
            "zx_system_get_page_size");
  }

  // ---- The C side ------------------------------------------------------------------------------

  private static Map<String, List<String>> readSymbolLists() throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(PROJECT.resolve("jextract.properties"))) {
      properties.load(reader);
    }
    Map<String, List<String>> lists = new LinkedHashMap<>();
    for (String kind :
        List.of("include-constant", "include-typedef", "include-struct", "include-function")) {
      lists.put(
          kind,
          Arrays.stream(properties.getProperty(kind, "").split(","))
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .toList());
    }
    return lists;
  }

  /** A C program printing one "key value" line per fact the Java side must agree with. */
  private static String probeSource() throws Exception {
    StringBuilder out = new StringBuilder();
    out.append("#include <stddef.h>\n#include <stdio.h>\n#include <zircon/syscalls.h>\n");
    out.append("int main(void) {\n");
    for (String name : symbols.get("include-constant")) {
      out.append("  printf(\"value %s %%lld\\n\", (long long)(%s));\n".formatted(name, name));
      out.append("  printf(\"sizeof %s %%zu\\n\", sizeof(%s));\n".formatted(name, name));
    }
    for (String name : symbols.get("include-typedef")) {
      out.append("  printf(\"sizeof %s %%zu\\n\", sizeof(%s));\n".formatted(name, name));
    }
    for (String name : symbols.get("include-struct")) {
      out.append(
          "  printf(\"sizeof struct %s %%zu\\n\", sizeof(struct %s));\n".formatted(name, name));
      for (String field : cFieldsOf(name)) {
        out.append(
            "  printf(\"offsetof %s.%s %%zu\\n\", offsetof(struct %s, %s));\n"
                .formatted(name, field, name, field));
        out.append(
            "  printf(\"sizeof %s.%s %%zu\\n\", sizeof(((struct %s*)0)->%s));\n"
                .formatted(name, field, name, field));
      }
    }
    Map<String, List<String>> prototypes = cPrototypes();
    for (String name : symbols.get("include-function")) {
      List<String> types = prototypes.get(name);
      if (types == null) {
        continue;
      }
      String ret = types.get(0);
      out.append(
          "  printf(\"sizeof return %s %%zu\\n\", (size_t)%s);\n"
              .formatted(name, ret.equals("void") ? "0" : "sizeof(" + ret + ")"));
      for (int i = 1; i < types.size(); i++) {
        out.append(
            "  printf(\"sizeof param %s.%d %%zu\\n\", sizeof(%s));\n"
                .formatted(name, i - 1, types.get(i)));
      }
    }
    out.append("  return 0;\n}\n");
    return out.toString();
  }

  /** Struct field names, read from the header text (every member of the struct body). */
  private static List<String> cFieldsOf(String struct) throws IOException {
    Matcher body =
        Pattern.compile("struct\\s+" + struct + "\\s*\\{((?:[^{}]|\\{[^{}]*\\})*)\\}")
            .matcher(allHeaders());
    if (!body.find()) {
      throw new AssertionError("struct " + struct + " not found under " + HEADERS);
    }
    List<String> fields = new ArrayList<>();
    // A nested union or struct counts as one member, named after its closing brace ("u").
    String members = body.group(1).replaceAll("//[^\n]*", "").replaceAll("\\{[^{}]*\\}", "{}");
    for (String member : members.split(";")) {
      Matcher name = Pattern.compile("(\\w+)\\s*(\\[[^]]*\\])?\\s*$").matcher(member.strip());
      if (!member.isBlank() && name.find()) {
        fields.add(name.group(1));
      }
    }
    return fields;
  }

  /** Function name to [return type, parameter types...], read from the header text. */
  private static Map<String, List<String>> cPrototypes() throws IOException {
    String text = allHeaders().replaceAll("//[^\n]*", "").replaceAll("\\s+", " ");
    Matcher m = Pattern.compile("(\\w+\\s*\\**)\\s+(zx_\\w+)\\s*\\(([^)]*)\\)\\s*;").matcher(text);
    Map<String, List<String>> prototypes = new LinkedHashMap<>();
    while (m.find()) {
      List<String> types = new ArrayList<>();
      types.add(m.group(1).strip());
      String params = m.group(3).strip();
      if (!params.equals("void")) {
        for (String param : params.split(",")) {
          // Drop the parameter name: "const void* buffer" -> "const void*".
          types.add(param.strip().replaceAll("\\s*\\b\\w+$", "").strip());
        }
      }
      prototypes.put(m.group(2), types);
    }
    return prototypes;
  }

  private static String allHeaders() throws IOException {
    try (var files = Files.walk(HEADERS)) {
      StringBuilder text = new StringBuilder();
      for (Path file : files.filter(p -> p.toString().endsWith(".h")).sorted().toList()) {
        text.append(Files.readString(file)).append('\n');
      }
      return text.toString();
    }
  }

  private static GroupLayout structLayout(String name) throws Exception {
    return (GroupLayout)
        Class.forName("io.github.zircon4j.zircon." + name).getMethod("layout").invoke(null);
  }

  private static boolean isGeneratedClass(String name) {
    try {
      Class.forName("io.github.zircon4j.zircon." + name);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    int exit = process.waitFor();
    if (exit != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + exit + ":\n" + output);
    }
    return output;
  }
}
