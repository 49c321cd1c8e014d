package io.klio.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.klio.backup.PgDataRules.DirectoryKind;
import org.junit.jupiter.api.Test;

/** The name rules of basebackup.c, byte for byte, for 15/16 and for 17 and later. */
class PgDataRulesTest {

  static final PgDataRules PG15 = PgDataRules.forMajor(15);
  static final PgDataRules PG18 = PgDataRules.forMajor(18);
  static final String TVD = "PG_15_202209061";

  @Test
  void excludedNames() {
    for (PgDataRules r : new PgDataRules[] {PG15, PG18}) {
      for (String n :
          new String[] {
            "pgsql_tmp",
            "pgsql_tmp12345.0",
            "pg_internal.init",
            "pg_internal.init.12345",
            "postmaster.pid",
            "postmaster.opts",
            "backup_label",
            "tablespace_map",
            "backup_manifest",
            "postgresql.auto.conf.tmp",
            "current_logfiles.tmp"
          }) {
        assertThat(r.skippedByName(n)).as(n).isTrue();
      }
      for (String n :
          new String[] {
            "postmaster.pid.old",
            "backup_label.old",
            "xpgsql_tmp",
            "postgresql.auto.conf",
            "current_logfiles",
            "pg_internal",
            "PG_VERSION"
          }) {
        assertThat(r.skippedByName(n)).as(n).isFalse();
      }
    }
    assertThat(PG15.skippedByName(".DS_Store")).isFalse();
    assertThat(PgDataRules.forMajor(16).skippedByName(".DS_Store")).isFalse();
    assertThat(PgDataRules.forMajor(17).skippedByName(".DS_Store")).isTrue();
    assertThat(PG18.skippedByName(".DS_Store.x")).isFalse();
  }

  @Test
  void excludedContents() {
    for (String n :
        new String[] {
          "pg_stat_tmp",
          "pg_replslot",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_subtrans"
        }) {
      assertThat(PG15.contentsExcluded(n)).as(n).isTrue();
    }
    assertThat(PG15.contentsExcluded("pg_wal")).isFalse();
    assertThat(PG15.contentsExcluded("pg_stat")).isFalse();
    assertThat(PG15.walSubdirectories()).containsExactly("archive_status");
    assertThat(PG18.walSubdirectories()).containsExactly("archive_status", "summaries");
  }

  @Test
  void relationDirectories() {
    assertThat(PG15.directoryKind("./base/5", TVD)).isEqualTo(DirectoryKind.DATABASE);
    assertThat(PG15.directoryKind("/ts/PG_15_202209061/16384", TVD))
        .isEqualTo(DirectoryKind.DATABASE);
    assertThat(PG15.directoryKind("./global", TVD)).isEqualTo(DirectoryKind.OTHER);
    assertThat(PG18.directoryKind("./global", TVD)).isEqualTo(DirectoryKind.GLOBAL);
    assertThat(PG15.directoryKind("./base", TVD)).isEqualTo(DirectoryKind.OTHER);
    assertThat(PG15.directoryKind("./base/5/x", TVD)).isEqualTo(DirectoryKind.OTHER);
    assertThat(PG15.directoryKind("./pg_xact", TVD)).isEqualTo(DirectoryKind.OTHER);
    // strncmp over the parent's length: any prefix of ./base counts, as in PostgreSQL
    assertThat(PG15.directoryKind("./123", TVD)).isEqualTo(DirectoryKind.DATABASE);
    assertThat(PG15.directoryKind("./ba/7", TVD)).isEqualTo(DirectoryKind.DATABASE);
    assertThat(PG15.directoryKind("./based/7", TVD)).isEqualTo(DirectoryKind.OTHER);
    assertThat(PG15.directoryKind("/ts/PG_14_202107181/5", TVD)).isEqualTo(DirectoryKind.OTHER);
  }

  @Test
  void initForks() {
    for (PgDataRules r : new PgDataRules[] {PG15, PG18}) {
      assertThat(r.initForkOf("16384")).isEqualTo("16384_init");
      assertThat(r.initForkOf("16384.1")).isEqualTo("16384_init");
      assertThat(r.initForkOf("16384_fsm")).isEqualTo("16384_init");
      assertThat(r.initForkOf("16384_vm.3")).isEqualTo("16384_init");
      assertThat(r.initForkOf("16384_init")).isNull(); // never the init fork itself
      assertThat(r.initForkOf("16384_init.1")).isNull();
      assertThat(r.initForkOf("16384_main")).isNull(); // main has no suffix
      assertThat(r.initForkOf("16384_fsmx")).isNull();
      assertThat(r.initForkOf("16384.")).isNull();
      assertThat(r.initForkOf("16384.1a")).isNull();
      assertThat(r.initForkOf("pg_filenode.map")).isNull();
      assertThat(r.initForkOf("PG_VERSION")).isNull();
      assertThat(r.initForkOf("t3_16384")).isNull();
      assertThat(r.initForkOf("12345678901")).isNull(); // more than 10 digits
    }
    // 17 and later: no leading zeros, values within 32 bits
    assertThat(PG15.initForkOf("016384")).isEqualTo("016384_init");
    assertThat(PG18.initForkOf("016384")).isNull();
    assertThat(PG15.initForkOf("16384.01")).isEqualTo("16384_init");
    assertThat(PG18.initForkOf("16384.01")).isNull();
    assertThat(PG15.initForkOf("4294967296")).isEqualTo("4294967296_init");
    assertThat(PG18.initForkOf("4294967296")).isNull();
    assertThat(PG18.initForkOf("4294967295")).isEqualTo("4294967295_init");
    assertThat(PG18.initForkOf("0")).isNull();
  }

  @Test
  void temporaryRelations() {
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_16390")).isTrue();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_16390_fsm")).isTrue();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_16390.2")).isTrue();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_16390_vm.2")).isTrue();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t12_1_init")).isTrue();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t_16390")).isFalse();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_")).isFalse();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_16390_")).isFalse();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_16390.")).isFalse();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3_16390x")).isFalse();
    assertThat(PgDataRules.looksLikeTemporaryRelation("t3")).isFalse();
    assertThat(PgDataRules.looksLikeTemporaryRelation("16390")).isFalse();
    assertThat(PgDataRules.looksLikeTemporaryRelation("")).isFalse();
  }

  @Test
  void tablespaceNames() {
    assertThat(PG15.tablespaceName("16385")).isTrue();
    assertThat(PG15.tablespaceName("016385")).isTrue();
    assertThat(PG18.tablespaceName("016385")).isFalse();
    assertThat(PG18.tablespaceName("16385")).isTrue();
    assertThat(PG15.tablespaceName("16385x")).isFalse();
    assertThat(PG15.tablespaceName("")).isFalse();
    assertThat(PG18.tablespaceName("18446744073709551616")).isFalse();
  }

  @Test
  void onlyFifteenAndLater() {
    assertThatThrownBy(() -> PgDataRules.forMajor(14)).hasMessageContaining("15 and newer");
  }
}
