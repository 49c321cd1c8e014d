package io.klio.cnpgi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.klio.cnpgi.backup.v1.BackupGrpc;
import io.klio.cnpgi.identity.v1.IdentityGrpc;
import io.klio.cnpgi.metrics.v1.MetricsGrpc;
import io.klio.cnpgi.operator.v1.OperatorGrpc;
import io.klio.cnpgi.operatorlifecycle.v1.OperatorLifecycleGrpc;
import io.klio.cnpgi.postgres.v1.PostgresGrpc;
import io.klio.cnpgi.reconciler.v1.ReconcilerHooksGrpc;
import io.klio.cnpgi.restorejob.v1.RestoreJobHooksGrpc;
import io.klio.cnpgi.wal.v1.WALGrpc;
import io.klio.cnpgi.wal.v1.WALRestoreRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CNPG-I wire contract, pinned: every service's wire method names and every message's fields
 * (name, number, label, type) and every enum value, as the generated descriptors and gRPC stubs
 * have them, against {@code cnpg-i-v0.6.0.contract}. That table was checked against the published
 * protos of cloudnative-pg/cnpg-i v0.6.0 (their descriptors, apart from file names and language
 * options, are the same as ours); a renumbered field, a renamed RPC or a moved package fails here.
 */
class CnpgiContractTest {

  /** Every CNPG-I service, by the stub class generated for it. */
  private static final List<io.grpc.ServiceDescriptor> SERVICES =
      List.of(
          IdentityGrpc.getServiceDescriptor(),
          PostgresGrpc.getServiceDescriptor(),
          WALGrpc.getServiceDescriptor(),
          RestoreJobHooksGrpc.getServiceDescriptor(),
          BackupGrpc.getServiceDescriptor(),
          OperatorGrpc.getServiceDescriptor(),
          OperatorLifecycleGrpc.getServiceDescriptor(),
          ReconcilerHooksGrpc.getServiceDescriptor(),
          MetricsGrpc.getServiceDescriptor());

  @Test
  void servicesMessagesAndEnumsAreExactlyTheContract() throws IOException {
    List<String> rendered = new ArrayList<>();
    for (io.grpc.ServiceDescriptor grpc : SERVICES) {
      rendered.addAll(render(grpc));
    }
    assertThat(String.join("\n", rendered)).isEqualTo(String.join("\n", contract()));
  }

  @Test
  void restoreRequestEncodesToTheBytesCloudNativePgSends() {
    WALRestoreRequest r =
        WALRestoreRequest.newBuilder()
            .setClusterDefinition(ByteString.copyFromUtf8("{}"))
            .setSourceWalName("000000010000000000000003")
            .setDestinationFileName("/p")
            .putParameters("k", "v")
            .setMode(WALRestoreRequest.Mode.MODE_REWIND)
            .build();
    assertThat(HexFormat.of().formatHex(r.toByteArray()))
        .isEqualTo(
            "0a027b7d" // 1: cluster_definition, bytes "{}"
                + "1218" // 2: source_wal_name, 24 bytes
                + hex("000000010000000000000003")
                + "1a022f70" // 3: destination_file_name "/p"
                + "2206" // 4: parameters, one map entry of 6 bytes
                + "0a016b" // key "k"
                + "120176" // value "v"
                + "2802"); // 5: mode, varint 2 (MODE_REWIND)
  }

  /**
   * Released CloudNativePG (cnpg-i v0.5.0) never sends {@code mode}: such a request parses, with
   * MODE_UNSPECIFIED; a field a newer CNPG-I adds is kept, not an error.
   */
  @Test
  void aRequestOfAnOlderOrNewerCnpgiParses() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(2, "00000002.history");
    out.writeString(3, "/var/lib/postgresql/data/pgdata/pg_wal/RECOVERYHISTORY");
    out.writeString(99, "a field of a later CNPG-I");
    out.flush();
    WALRestoreRequest r = WALRestoreRequest.parseFrom(bytes.toByteArray());
    assertThat(r.getSourceWalName()).isEqualTo("00000002.history");
    assertThat(r.getDestinationFileName()).endsWith("/pg_wal/RECOVERYHISTORY");
    assertThat(r.getMode()).isEqualTo(WALRestoreRequest.Mode.MODE_UNSPECIFIED);
    assertThat(r.getUnknownFields().hasField(99)).isTrue();
  }

  private static String hex(String ascii) {
    return HexFormat.of().formatHex(ascii.getBytes(StandardCharsets.US_ASCII));
  }

  private static List<String> contract() throws IOException {
    try (InputStream in = CnpgiContractTest.class.getResourceAsStream("cnpg-i-v0.6.0.contract")) {
      List<String> lines = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          lines.add(line);
        }
      }
      return lines;
    }
  }

  /** A service (its wire method names, from the stub) and the messages and enums of its file. */
  private static List<String> render(io.grpc.ServiceDescriptor grpc) {
    ServiceDescriptor proto =
        ((ProtoServiceDescriptorSupplier) grpc.getSchemaDescriptor()).getServiceDescriptor();
    List<String> out = new ArrayList<>();
    out.add("service " + grpc.getName());
    assertThat(grpc.getName()).isEqualTo(proto.getFullName());
    assertThat(grpc.getMethods()).hasSameSizeAs(proto.getMethods());
    for (MethodDescriptor m : proto.getMethods()) {
      io.grpc.MethodDescriptor<?, ?> wire =
          grpc.getMethods().stream()
              .filter(g -> g.getBareMethodName().equals(m.getName()))
              .findFirst()
              .orElseThrow();
      assertThat(wire.getType()).as(wire.getFullMethodName()).isEqualTo(MethodType.UNARY);
      out.add(
          "  rpc /"
              + wire.getFullMethodName()
              + " ("
              + m.getInputType().getFullName()
              + ") returns ("
              + m.getOutputType().getFullName()
              + ")");
    }
    for (Descriptor d : proto.getFile().getMessageTypes()) {
      render(d, out);
    }
    for (EnumDescriptor e : proto.getFile().getEnumTypes()) {
      render(e, out);
    }
    return out;
  }

  private static void render(Descriptor d, List<String> out) {
    if (d.getOptions().getMapEntry()) {
      return; // shown as the map field that uses it
    }
    out.add("message " + d.getFullName());
    for (FieldDescriptor f : d.getFields()) {
      out.add("  " + f.getName() + "=" + f.getNumber() + " " + type(f));
    }
    for (Descriptor nested : d.getNestedTypes()) {
      render(nested, out);
    }
    for (EnumDescriptor e : d.getEnumTypes()) {
      render(e, out);
    }
  }

  private static void render(EnumDescriptor e, List<String> out) {
    out.add("enum " + e.getFullName());
    e.getValues().forEach(v -> out.add("  " + v.getName() + "=" + v.getNumber()));
  }

  private static String type(FieldDescriptor f) {
    if (f.isMapField()) {
      Descriptor entry = f.getMessageType();
      return "map<"
          + baseType(entry.findFieldByNumber(1))
          + ", "
          + baseType(entry.findFieldByNumber(2))
          + ">";
    }
    // proto3 `optional` is a oneof of its own that the language hides: "synthetic"
    OneofDescriptor oneof = f.getRealContainingOneof();
    String label =
        f.isRepeated()
            ? "repeated "
            : oneof != null
                ? "oneof " + oneof.getName() + " "
                : f.getContainingOneof() != null ? "optional " : "";
    return label + baseType(f);
  }

  private static String baseType(FieldDescriptor f) {
    return switch (f.getJavaType()) {
      case MESSAGE -> f.getMessageType().getFullName();
      case ENUM -> f.getEnumType().getFullName();
      default -> f.getType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
