package io.klio.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.klio.api.Lsn;
import io.klio.api.grpc.v1.BackupSummary;
import io.klio.api.grpc.v1.VerifyFinding;
import io.klio.client.BackupOutcome;
import io.klio.client.VerifyOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code klio backup} and its subcommands print on stdout: a summary or a table for people,
 * one JSON document for scripts ({@code --output json}; fields in docs/cli.md).
 */
final class BackupOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private BackupOutput() {}

  /** {@code text} or {@code json}. */
  enum Format {
    TEXT,
    JSON
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A backup's summary as the JSON object docs/cli.md lists. */
  static Map<String, Object> summary(BackupSummary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("backup_id", s.getBackupId());
    m.put("cluster", s.getCluster());
    m.put("label", s.getLabel());
    m.put("status", "committed");
    m.put("start_time", time(s.getStartTimeMs()));
    m.put("stop_time", time(s.getStopTimeMs()));
    m.put("start_lsn", Lsn.of(s.getStartLsn()).toString());
    m.put("end_lsn", Lsn.of(s.getEndLsn()).toString());
    m.put("checkpoint_lsn", Lsn.of(s.getCheckpointLsn()).toString());
    m.put("timeline", s.getStartTimeline());
    m.put("end_timeline", s.getEndTimeline());
    m.put("begin_wal", s.getBeginWal());
    m.put("end_wal", s.getEndWal());
    m.put("from_standby", s.getFromStandby());
    m.put("server_version_num", s.getServerVersionNum());
    m.put("system_identifier", Long.toUnsignedString(s.getSystemIdentifier()));
    m.put("file_count", s.getFileCount());
    m.put("directory_count", s.getDirectoryCount());
    m.put("data_bytes", s.getDataBytes());
    m.put("chunk_count", s.getChunkCount());
    m.put("new_chunks", s.getNewChunks());
    m.put("new_bytes", s.getNewBytes());
    m.put("stored_bytes", s.getStoredBytes());
    m.put("tablespaces", s.getTablespacesCount());
    m.put("committed_time", time(s.getCommittedTimeMs()));
    return m;
  }

  /** A backup just taken: its summary and the client's figures. */
  static Map<String, Object> outcome(BackupOutcome o) {
    Map<String, Object> m = summary(o.summary());
    m.put("sent_bytes", o.sentBytes());
    m.put("vanished_files", o.vanished());
    m.put("elapsed_seconds", Math.round(o.elapsed().toMillis() / 10.0) / 100.0);
    return m;
  }

  static String outcomeText(BackupOutcome o) {
    BackupSummary s = o.summary();
    return String.join(
        "\n",
        "backup "
            + s.getBackupId()
            + " committed"
            + (s.getFromStandby() ? " (taken on a standby)" : ""),
        "  WAL      "
            + s.getBeginWal()
            + " .. "
            + s.getEndWal()
            + " ("
            + Lsn.of(s.getStartLsn())
            + " .. "
            + Lsn.of(s.getEndLsn())
            + ", timeline "
            + s.getStartTimeline()
            + ")",
        "  data     " + s.getFileCount() + " files, " + bytes(s.getDataBytes()),
        "  new      "
            + bytes(s.getNewBytes())
            + " in "
            + s.getNewChunks()
            + " chunks, stored as "
            + bytes(s.getStoredBytes())
            + "; sent "
            + bytes(o.sentBytes()),
        "  time     "
            + time(s.getStartTimeMs())
            + " .. "
            + time(s.getStopTimeMs())
            + String.format(Locale.ROOT, " (%.1f s in all)", o.elapsed().toMillis() / 1000.0),
        "");
  }

  /** The catalog as a table. */
  static String table(List<BackupSummary> all) {
    StringBuilder b = new StringBuilder();
    String row = "%-16s  %-20s  %-20s  %-14s  %-14s  %3s  %10s  %10s  %s%n";
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "ID",
            "START",
            "STOP",
            "START LSN",
            "END LSN",
            "TLI",
            "DATA",
            "ADDED",
            "STATUS"));
    for (BackupSummary s : all) {
      b.append(
          String.format(
              Locale.ROOT,
              row,
              s.getBackupId(),
              time(s.getStartTimeMs()),
              time(s.getStopTimeMs()),
              Lsn.of(s.getStartLsn()),
              Lsn.of(s.getEndLsn()),
              s.getStartTimeline(),
              bytes(s.getDataBytes()),
              bytes(s.getNewBytes()),
              "committed"));
    }
    return b.toString();
  }

  /** One backup, as {@code key: value} lines. */
  static String showText(BackupSummary s) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Object> e : summary(s).entrySet()) {
      b.append(String.format(Locale.ROOT, "%-20s %s%n", e.getKey(), e.getValue()));
    }
    return b.toString();
  }

  static Map<String, Object> verify(String id, VerifyOutcome v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("backup_id", id);
    m.put("ok", v.ok());
    m.put("files_checked", v.filesChecked());
    m.put("bytes_checked", v.bytesChecked());
    m.put("files_total", v.filesTotal());
    m.put("bytes_total", v.bytesTotal());
    m.put("finding_count", v.findingCount());
    List<Map<String, Object>> findings = new ArrayList<>();
    for (VerifyFinding f : v.findings()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("path", f.getPath());
      x.put("offset", f.getOffset());
      x.put("chunk_id", f.getChunkId());
      x.put("location", f.getLocation());
      x.put("problem", f.getProblem());
      findings.add(x);
    }
    m.put("findings", findings);
    return m;
  }

  static String verifyText(String id, VerifyOutcome v) {
    StringBuilder b = new StringBuilder();
    for (VerifyFinding f : v.findings()) {
      b.append(f.getPath());
      if (!f.getChunkId().isEmpty()) {
        b.append(" at offset ").append(f.getOffset()).append(": chunk ").append(f.getChunkId());
      }
      if (!f.getLocation().isEmpty()) {
        b.append(" in ").append(f.getLocation());
      }
      b.append(": ").append(f.getProblem()).append('\n');
    }
    if (v.findingCount() > v.findings().size()) {
      b.append("… and ").append(v.findingCount() - v.findings().size()).append(" more\n");
    }
    b.append("backup ")
        .append(id)
        .append(
            v.ok()
                ? ": every chunk verified, "
                : ": CORRUPTED, " + v.findingCount() + " problems; ")
        .append(v.filesChecked())
        .append(" files, ")
        .append(bytes(v.bytesChecked()))
        .append(" checked\n");
    return b.toString();
  }

  static String time(long ms) {
    return ms == 0
        ? ""
        : Instant.ofEpochMilli(ms).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  /** 1.5 GiB, 300.0 MiB, 12 B. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
