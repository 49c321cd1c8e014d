package io.klio.backup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the tablespaces of a data directory the way {@code do_pg_backup_start} does. */
final class TablespaceScan {

  private static final Logger LOG = LoggerFactory.getLogger(PgDataWalker.class);

  private TablespaceScan() {}

  static List<TablespaceLink> scan(Path dataDirectory, PgDataRules rules) throws IOException {
    Path tblspc = dataDirectory.resolve("pg_tblspc");
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tblspc)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    names.sort(null);
    String prefix = dataDirectory.toString() + "/";
    List<TablespaceLink> links = new ArrayList<>();
    for (String name : names) {
      if (!rules.tablespaceName(name)) {
        continue;
      }
      Path entry = tblspc.resolve(name);
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        continue;
      }
      if (name.length() > 10 || Long.parseLong(name) > 0xFFFF_FFFFL) {
        LOG.warn("skipping pg_tblspc/{}: not a tablespace oid (oids are below 2^32)", name);
        continue;
      }
      long oid = Long.parseLong(name);
      if (a.isSymbolicLink()) {
        String target = Files.readSymbolicLink(entry).toString();
        Optional<String> inside =
            target.startsWith(prefix)
                ? Optional.of(target.substring(prefix.length()))
                : Optional.empty();
        links.add(new TablespaceLink(name, oid, target, tblspc.resolve(target), inside));
      } else if (a.isDirectory()) {
        String location = "pg_tblspc/" + name;
        links.add(new TablespaceLink(name, oid, location, entry, Optional.of(location)));
      }
    }
    return links;
  }
}
